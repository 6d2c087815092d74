// @ts-check
/** The sales loop (API key): the team and the write-back of what sales did with a lead. docs/sales.md has the rules. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { FileBody } from '../client.mjs';
import { AUTH_KEY, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { iso, table } from '../text.mjs';

/** Write-back options and the API field each sets. */
const FIELDS = /** @type {const} */ ([['status', 'status'], ['reason', 'reason'], ['value', 'value'], ['currency', 'currency'],
  ['closed-at', 'closedAt'], ['owner', 'owner'], ['crm-id', 'crmId'], ['budget', 'budget'], ['authority', 'authority'], ['need', 'need'],
  ['timeline', 'timeline']]);

/** Bulk files by extension. */
const TYPES = /** @type {Record<string, string>} */ ({ '.csv': 'text/csv', '.ndjson': 'application/x-ndjson', '.jsonl': 'application/x-ndjson', '.json': 'application/json' });

/** @param {string} file */
function readFile(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${file}: ${/** @type {Error} */ (err).message}`);
  }
}

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'leads update',
    args: ['[lead-id]'],
    options: ['file', ...FIELDS.map(([flag]) => flag)],
    help: 'leads update <lead-id> [--status S] [--reason R] [--value N --currency C] [--closed-at ISO] [--owner O]\n'
      + '                       [--crm-id X] [--budget B] [--authority A] [--need N] [--timeline T]\n'
      + '  Write back what sales did: status accepted|rejected|recycled|opportunity|won|lost, the deal, the owner, BANT.\n'
      + '  "none" clears --reason, --owner or --crm-id.\n'
      + 'leads update --file FILE\n'
      + '  Many at once from a CSV, NDJSON or JSON file (rows keyed by id, email or crmId); prints the per-row report.\n'
      + `  Exit code 1 when any row was refused.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [id], values }) => {
      if (values.file) {
        if (id) throw new UsageError('leads update takes a lead id or --file, not both');
        const type = TYPES[extname(values.file).toLowerCase()];
        if (!type) throw new UsageError('--file must end in .csv, .ndjson, .jsonl or .json');
        const res = await keyed()('POST', '/v1/leads/updates', new FileBody(readFile(values.file), type));
        out(res, () => `${res.updated} updated, ${res.unchanged} unchanged, ${res.refused} refused.`
          + (res.refused ? `\n${table([['LINE', 'LEAD', 'STATUS', 'WHY'], ...res.rows.filter((/** @type {any} */ r) => r.result === 'refused')
            .map((/** @type {any} */ r) => [r.line, r.lead ?? Object.values(r.key ?? {})[0] ?? '', r.status, r.reason])])}` : ''));
        return res.refused ? 1 : 0;
      }
      if (!id) throw new UsageError('Usage: lodestone leads update <lead-id> [--status S] … (or --file FILE)');
      /** @type {Record<string, unknown>} */
      const body = {};
      for (const [flag, field] of FIELDS) {
        const given = values[flag];
        if (given === undefined) continue;
        if (field === 'value') {
          const n = Number(given);
          if (!Number.isFinite(n)) throw new UsageError('--value takes a number, e.g. 12000 or 12000.50');
          body.value = n;
        } else body[field] = given === 'none' && (field === 'reason' || field === 'owner' || field === 'crmId') ? null : given;
      }
      if (!Object.keys(body).length) throw new UsageError('leads update needs at least one of --status, --reason, --value, --currency, --closed-at, --owner, --crm-id, --budget, --authority, --need, --timeline');
      const res = await keyed()('PATCH', `/v1/leads/${enc(id)}`, body);
      const s = res.sales;
      out(res, () => (res.result === 'unchanged' ? `Lead ${id}: nothing to change.`
        : `Lead ${id}: ${s.status ?? 'no sales status'}${s.reason ? ` (${s.reason})` : ''}${s.ownerId ? `, owner ${s.ownerId}` : ''}`
          + `${s.value !== null ? `, ${s.value} ${s.currency}` : ''}${s.closedAt ? `, closed ${iso(s.closedAt)}` : ''}.`));
      return 0;
    },
  },
  {
    name: 'leads import',
    args: ['<file>'],
    options: ['send-optin', 'magnet'],
    help: 'leads import FILE [--send-optin --magnet M]\n'
      + '  Leads from fairs, webinars and events (CSV, NDJSON or JSON; docs/sales.md "Import"). Each row states its basis:\n'
      + '  consent (with consentText, consentAt and source) or legitimate_interest (kept pending, never mailed, erased\n'
      + '  after 30 days unless the person confirms). Known addresses merge into their lead. The same file twice changes nothing.\n'
      + '  --send-optin --magnet M  consent rows stay pending and get the double opt-in mail of magnet M.\n'
      + `  Exit code 1 when any row was refused.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [file = ''], values }) => {
      const type = TYPES[extname(file).toLowerCase()];
      if (!type) throw new UsageError('The file must end in .csv, .ndjson, .jsonl or .json');
      if (values['send-optin'] && !values.magnet) throw new UsageError('--send-optin needs --magnet M: the opt-in mail is that magnet\'s mail');
      const query = new URLSearchParams({ ...(values['send-optin'] ? { sendOptin: 'true' } : {}), ...(values.magnet ? { magnet: values.magnet } : {}) });
      const res = await keyed()('POST', `/v1/leads/import${query.size ? `?${query}` : ''}`, new FileBody(readFile(file), type));
      out(res, () => `${res.created} created, ${res.merged} merged, ${res.unchanged} unchanged, ${res.refused} refused`
        + `${values['send-optin'] ? `; ${res.optinMails} opt-in mail(s) sent` : ''}.`
        + (res.refused ? `\n${table([['LINE', 'EMAIL', 'STATUS', 'WHY'], ...res.rows.filter((/** @type {any} */ r) => r.result === 'refused')
          .map((/** @type {any} */ r) => [r.line, r.email ?? '', r.status, r.reason])])}` : ''));
      return res.refused ? 1 : 0;
    },
  },
  {
    name: 'owners list',
    help: `owners list\n  The sales team: territory, weight, assignments so far.\n${AUTH_KEY}`,
    run: async ({ keyed, out }) => {
      const res = await keyed()('GET', '/v1/owners');
      out(res, () => table([['ID', 'NAME', 'EMAIL', 'LANG', 'ACTIVE', 'WEIGHT', 'ASSIGNED', 'TERRITORY'],
        ...res.owners.map((/** @type {any} */ o) => [o.id, o.name, o.email, o.lang, o.active ? (o.fallback ? 'fallback' : 'yes') : 'no', o.weight, o.assigned,
          o.territory ? [o.territory.countries?.join(','), o.territory.industries?.join(','),
            o.territory.sizeMin !== undefined || o.territory.sizeMax !== undefined ? `${o.territory.sizeMin ?? 0}-${o.territory.sizeMax ?? ''}` : '']
            .filter(Boolean).join(' ') : 'everywhere'])]));
    },
  },
  {
    name: 'owners set',
    args: ['<file>'],
    help: `owners set FILE\n  Replace the team from a JSON file ({"owners": [...]}, docs/sales.md); owners left out become inactive.\n${AUTH_KEY}`,
    run: async ({ keyed, out, args: [file = ''] }) => {
      let doc;
      try {
        doc = JSON.parse(readFile(file));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError(`Cannot read ${file} as JSON: ${/** @type {Error} */ (err).message}`);
      }
      const res = await keyed()('PUT', '/v1/owners', doc);
      out(res, () => `Saved ${res.owners.filter((/** @type {any} */ o) => o.active).length} active owner(s) (${res.owners.length} in all).`);
    },
  },
];
