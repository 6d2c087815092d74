// @ts-check
/** Keeping a deployment healthy (admin token): the health report and requeueing dead mails. */
import { AUTH_ADMIN } from '../command.mjs';
import { ApiError } from '../errors.mjs';
import { iso } from '../text.mjs';

/** @type {import('../command.mjs').Command[]} */
export const commands = [
  {
    name: 'doctor',
    help: `doctor\n  Checks the server is reachable, the admin token is accepted, and reads its health\n  (mail and webhook queues, magnets). Exit code 1 when anything is degraded.\n${AUTH_ADMIN}`,
    run: async ({ api, out, values, print }) => {
      // Local checks first (reachable, token accepted): each failure says what to do.
      let health;
      try {
        health = await api('GET', '/admin/health');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) throw new ApiError(`The server is up but refused the admin token: ${err.message}`, 401);
        if (err instanceof ApiError && err.status === 404) throw new ApiError(`The server is up but has no health report (GET /admin/health); is it older than this CLI? ${err.message}`, 404);
        throw err;
      }
      if (values.json) {
        out(health, () => '');
        return health.status === 'ok' ? 0 : 1;
      }
      const mark = (/** @type {boolean} */ ok) => (ok ? 'ok  ' : 'FAIL');
      const m = health.mail ?? {};
      const w = health.webhooks ?? {};
      const lines = [`server reachable      ok`, `admin token accepted  ok`,
        ...(health.checks ?? []).map((/** @type {any} */ c) => `${String(c.name).padEnd(21)} ${mark(c.ok)}${c.detail ? `  ${c.detail}` : ''}`),
        `mail                  ${m.dead || m.stuck ? 'FAIL' : 'ok  '}  ${m.dead ?? 0} dead, ${m.stuck ?? 0} stuck${m.lastError ? `; last error ${iso(m.lastErrorAt)}: ${m.lastError}` : ''}`,
        ...(m.deadIds?.length ? [`  dead mails (newest first): ${m.deadIds.join(' ')}${m.dead > m.deadIds.length ? ` … and ${m.dead - m.deadIds.length} more` : ''}`] : []),
        `webhooks              ${w.dead || w.stuck ? 'FAIL' : 'ok  '}  ${w.dead ?? 0} dead, ${w.stuck ?? 0} stuck`,
        ...(health.magnets?.length ? ['magnets with problems:', ...health.magnets.map((/** @type {any} */ x) => `  ${x.site}/${x.magnet}: ${x.problem}`)] : []),
        // The server requeues dead mails only; stuck ones are the cron's (or the mail config's) to fix.
        health.status === 'ok' ? 'status: ok' : `status: ${health.status}${m.dead ? ' (retry dead mails: lodestone mail retry)' : ''}`];
      print(lines.join('\n'));
      return health.status === 'ok' ? 0 : 1;
    },
  },
  {
    name: 'mail retry',
    args: ['[mail-ids...]'],
    help: `mail retry [<mail-id>…]\n  Requeue dead mails now (all of them without ids); pending and stuck ones are left to the cron.\n${AUTH_ADMIN}`,
    run: async ({ api, out, args }) => {
      const res = await api('POST', '/admin/mail/retry', args.length ? { ids: args } : {});
      out(res, () => `Requeued ${res.requeued} mail(s).`);
    },
  },
];
