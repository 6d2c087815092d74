// @ts-check
/** How long personal data is kept per site, and running the retention work now (admin token). */
import { AUTH_ADMIN, enc } from '../command.mjs';
import { UsageError } from '../errors.mjs';

/** The human view of a site's retention answer. */
function retentionText(/** @type {any} */ res) {
  const r = res.retention;
  const mark = (/** @type {string} */ k) => (res.overrides[k] === null ? ' (default)' : '');
  return [`retention of ${res.site}:`,
    `  pending (unconfirmed) leads   ${r.pendingDays} days${mark('pendingDays')}`,
    `  withdrawn leads               ${r.withdrawnDays} days after withdrawal${mark('withdrawnDays')}`,
    `  events of non-lead visitors   ${r.eventMonths} months${mark('eventMonths')}`,
    `  ledger of erased leads        ${r.ledgerYears} years after erasure${mark('ledgerYears')}`].join('\n');
}

const PERIODS = /** @type {const} */ ([['pending-days', 'pendingDays'], ['withdrawn-days', 'withdrawnDays'],
  ['event-months', 'eventMonths'], ['ledger-years', 'ledgerYears']]);

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'retention get',
    args: ['<site>'],
    help: `retention get <site>\n  The site's retention periods (and the defaults).\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = ''] }) => {
      const res = await api('GET', `/admin/sites/${enc(site)}/retention`);
      out(res, () => retentionText(res));
    },
  },
  {
    name: 'retention set',
    args: ['<site>'],
    options: PERIODS.map(([flag]) => flag),
    help: `retention set <site> [--pending-days N] [--withdrawn-days N] [--event-months N] [--ledger-years N]\n  Change them; "default" resets one.\n${AUTH_ADMIN}`,
    run: async ({ api, out, args: [site = ''], values }) => {
      /** @type {Record<string, number | null>} */
      const body = {};
      for (const [flag, field] of PERIODS) {
        const given = values[flag];
        if (given === undefined) continue;
        const n = Number(given);
        if (given !== 'default' && !Number.isInteger(n)) throw new UsageError(`--${flag} takes a whole number or "default"`);
        body[field] = given === 'default' ? null : n;
      }
      if (!Object.keys(body).length) throw new UsageError('retention set needs at least one of --pending-days, --withdrawn-days, --event-months, --ledger-years');
      const res = await api('PUT', `/admin/sites/${enc(site)}/retention`, body);
      out(res, () => retentionText(res));
    },
  },
  {
    name: 'retention run',
    options: ['budget-ms'],
    help: `retention run [--budget-ms N]\n  Run the retention work now (the cron does it every 5 minutes).\n${AUTH_ADMIN}`,
    run: async ({ api, out, values }) => {
      const res = await api('POST', `/admin/retention/run?budget_ms=${enc(values['budget-ms'] ?? '15000')}`);
      const r = res.report;
      out(res, () => `Retention over ${r.sites} site(s): ${r.pendingErased} pending and ${r.withdrawnErased} withdrawn lead(s) erased, `
        + `${r.eventsDeleted} event(s), ${r.tokensDeleted} token(s) and ${r.ledgerDeleted} ledger row(s) deleted`
        + `${r.more ? '; more to do (run again or wait for the cron)' : ''}.`);
    },
  },
];
