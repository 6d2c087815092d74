// @ts-check
/**
 * Reading leads: the marketing view by API key (score first), and with --admin
 * the admin view of any site. A site id without --admin is refused, never a
 * silent switch of credential.
 */
import { writeFileSync } from 'node:fs';
import { AUTH_KEY, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';
import { iso, table, visible } from '../text.mjs';

const LIST_FILTERS = '[--stage S] [--temperature T] [--min-score N] [--q TEXT] [--magnet M]\n           [--updated-since ISO] [--sort score|updated|likelihood] [--limit N]';

/** @type {(keyof import('../command.mjs').Values)[]} */
const FILTER_OPTIONS = ['stage', 'temperature', 'min-score', 'q', 'sort', 'magnet', 'updated-since', 'limit'];

/**
 * The lead list's query string from CLI options.
 * @param {import('../command.mjs').Values} values
 */
function leadQuery(values) {
  const q = new URLSearchParams();
  const map = /** @type {const} */ ([['stage', 'stage'], ['temperature', 'temperature'], ['min-score', 'min_score'], ['q', 'q'],
    ['sort', 'sort'], ['magnet', 'magnet'], ['updated-since', 'updated_since'], ['limit', 'limit']]);
  for (const [option, param] of map) {
    const value = values[option];
    if (typeof value === 'string' && value) q.set(param, value);
  }
  return q.toString();
}

/**
 * One consent ledger entry in words: an unticked box is a refusal, not a consent.
 * @param {{ action: string, purpose?: string | null, granted?: boolean | null, coupled?: boolean | null, textVersion?: string | null }} e
 */
function consentLine(e) {
  const purpose = e.purpose ?? '';
  const what = e.action === 'given' && e.granted === false ? `declined ${purpose} (box left unticked)`
    : `${e.action} ${purpose}${e.coupled ? ' (coupled)' : ''}`;
  return `${what}${e.textVersion ? ` ${e.textVersion}` : ''}`.replace(/\s+/g, ' ').trim();
}

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'leads list',
    args: ['[site]'],
    options: [...FILTER_OPTIONS, 'admin', 'status', 'email'],
    help: `leads list ${LIST_FILTERS}\n  Leads of the key's site, best current score first.\n${AUTH_KEY}\n\n`
      + 'leads list --admin <site> [--status S] [--email E] [--limit N]\n  The admin view of any site\'s leads; status: pending, confirmed, withdrawn.\n  Uses the admin token only, never the API key.',
    run: async ({ api, keyed, out, args, values }) => {
      if (!values.admin) {
        if (args.length) throw new UsageError(`leads list takes no site: the API key decides it. For the admin view of a site: lodestone leads list --admin ${visible(args[0] ?? '')}`);
        // Marketing API: the key's site, best current score first.
        const res = await keyed()('GET', `/v1/leads?${leadQuery(values)}`);
        // The likelihood column only once the site has one (enough sales outcomes).
        const likely = res.leads.some((/** @type {any} */ l) => l.likelihood !== undefined);
        out(res, () => table([['ID', 'EMAIL', 'STAGE', 'SCORE', 'FIT', 'ENGAGEMENT', 'TEMP', ...(likely ? ['LIKELY'] : []), 'COMPANY', 'UPDATED'],
          ...res.leads.map((/** @type {any} */ l) => [l.id, l.email, l.stage, l.score.toFixed(0), l.fit.toFixed(0), l.engagement.toFixed(1),
            l.temperature, ...(likely ? [l.likelihood === undefined ? '–' : `${Math.round(l.likelihood * 100)} %`] : []), l.company,
            l.updatedAt.replace('.000Z', 'Z')])]) + (res.next ? '\n(more: raise --limit, or use leads export)' : ''));
        return;
      }
      const [site] = args;
      if (!site) throw new UsageError('Usage: lodestone leads list --admin <site> [--status S] [--email E] [--limit N]');
      const q = new URLSearchParams();
      if (values.status) q.set('status', values.status);
      if (values.email) q.set('email', values.email);
      if (values.limit) q.set('limit', values.limit);
      const res = await api('GET', `/admin/sites/${enc(site)}/leads?${q}`);
      out(res, () => table([['ID', 'EMAIL', 'STATUS', 'COMPANY', 'ROLE', 'SIZE', 'UPDATED'],
        ...res.leads.map((/** @type {any} */ l) => [l.id, l.email, l.status, l.company, l.role, l.companySize, iso(l.updatedAt)])]));
    },
  },
  {
    name: 'leads show',
    // One argument (the lead) for the marketing view, two (site, lead) with --admin.
    args: ['[site-or-lead]', '[lead]'],
    options: ['admin'],
    help: `leads show <lead-id>\n  Profile, score explained, stages, consents, events.\n${AUTH_KEY}\n\n`
      + 'leads show --admin <site> <lead-id>\n  The admin view: one lead with its consent ledger. Uses the admin token only.',
    run: async ({ api, keyed, out, args, values }) => {
      if (!values.admin) {
        if (args.length !== 1) throw new UsageError('Usage: lodestone leads show <lead-id>  (the admin view: leads show --admin <site> <lead-id>)');
        const res = await keyed()('GET', `/v1/leads/${enc(args[0] ?? '')}`);
        const l = res.lead;
        const sc = res.score;
        out(res, () => [`${l.id}  ${l.email}  ${l.status}`,
          [l.firstName, l.role, l.company, l.companySize, l.industry, l.country].filter(Boolean).join(' · '),
          sc ? `stage ${sc.stage}  score ${sc.score.toFixed(1)} (fit ${sc.fit}, engagement ${sc.engagement.toFixed(1)})  ${sc.temperature}` : 'not scored yet',
          ...(res.likelihood ? [`likelihood to buy ${Math.round(res.likelihood.probability * 100)} % (from ${res.likelihood.basis.outcomes} sales outcomes): ${res.likelihood.factors.join('; ')}`] : []),
          ...(sc ? ['why:', ...sc.explanation.lines.map((/** @type {any} */ x) => `  ${x.points >= 0 ? '+' : ''}${x.points.toFixed(1).padStart(8)}  ${x.label ?? x.id}${x.count > 1 ? ` ×${x.count}` : ''}${x.capped ? ' (capped)' : ''}`)] : []),
          'stages:', ...res.stageHistory.map((/** @type {any} */ h) => `  ${iso(h.at)}  ${h.from} → ${h.to}`),
          'consents:', ...res.consents.map((/** @type {any} */ e) => `  ${iso(e.createdAt)}  ${consentLine(e)}`),
          `events (${res.events.length}, newest first):`, ...res.events.slice(0, 20).map((/** @type {any} */ e) => `  ${e.at}  ${e.kind.padEnd(15)} ${e.path ?? ''}`)].join('\n'));
        return;
      }
      const [site, id] = args;
      if (!site || !id) throw new UsageError('Usage: lodestone leads show --admin <site> <lead-id>');
      const res = await api('GET', `/admin/sites/${enc(site)}/leads/${enc(id)}`);
      const l = res.lead;
      out(res, () => [`${l.id}  ${l.email}  ${l.status}${l.marketing ? '  marketing: yes' : ''}`,
        [l.firstName, l.role, l.company, l.companySize, l.industry].filter(Boolean).join(' · '),
        'consent ledger:',
        ...res.ledger.map((/** @type {any} */ e) => `  ${iso(e.createdAt)}  ${e.action.padEnd(9)} ${(e.purpose ?? '').padEnd(9)} ${e.granted === null ? '' : e.granted ? 'ticked  ' : 'unticked'} ${e.textVersion ?? ''} ${e.magnetId ?? ''}`.trimEnd())].join('\n'));
    },
  },
  {
    // Every page of the lead list, as CSV (one header) or NDJSON, to a file or stdout.
    name: 'leads export',
    options: [...FILTER_OPTIONS, 'format', 'excel', 'out'],
    help: 'leads export [--format csv|ndjson] [--excel] [--out FILE] [--progress] [filters as for leads list]\n  Every matching lead, page by page (spreadsheet-safe CSV).\n'
      + `  --excel     CSV for Excel: UTF-8 BOM and ";" separator\n  --progress  report pages on stderr (default: only when stderr is a terminal)\n${AUTH_KEY}`,
    run: async ({ keyed, values, print, io, progress }) => {
      const format = values.format ?? 'csv';
      if (format !== 'csv' && format !== 'ndjson') throw new UsageError('--format must be csv or ndjson');
      if (values.excel && format !== 'csv') throw new UsageError('--excel only applies to --format csv');
      const base = leadQuery({ ...values, limit: values.limit ?? '1000' });
      const dialect = values.excel ? '&dialect=excel' : '';
      const api = keyed(); // fails with a usage error when there is no key
      /** @type {string[]} */
      const chunks = [];
      let cursor = '';
      let rows = 0;
      let pages = 0;
      do {
        const { text, headers } = await api.text(`/v1/leads?${base}&format=${format}${dialect}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
        // One header row (and one byte-order mark) for the whole file.
        const body = format === 'csv' && chunks.length ? text.slice(text.indexOf('\n') + 1) : text;
        chunks.push(body);
        rows += body.split('\n').filter((line) => line.trim()).length - (format === 'csv' && chunks.length === 1 ? 1 : 0);
        cursor = headers.get('x-next-cursor') ?? '';
        pages++;
        // Progress goes to stderr only: stdout may be the data itself.
        if (progress) io.err(`lodestone: page ${pages}: ${rows} lead(s)${cursor ? ', more to come' : ', done'}`);
      } while (cursor);
      if (values.out) {
        writeFileSync(values.out, chunks.join(''));
        print(`Exported ${rows} lead(s) to ${values.out}.`);
      } else {
        const data = chunks.join('');
        // Files and pipes get the bytes as they are; a terminal gets lead data it cannot act on.
        io.write(io.stdoutTTY ? data.split(/(\r?\n)/).map((part, i) => (i % 2 ? part : visible(part))).join('') : data);
      }
    },
  },
];
