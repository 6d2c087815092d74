import { Hono } from 'hono';
import { pingDatabase, webhookHealth } from './store';
import * as v from 'valibot';
import { magnetProblems, type MagnetProblem } from '../magnets';
import { mailHealth, requeueDeadMails, retryOutbox, configChecks, type MailHealth, type ConfigCheck } from '../mail';
import { sendOwnerMails } from '../sales';
import type { AppEnv } from '../../platform/env';
import { requireAdminToken } from '../../platform/admin-guard';
import { afterResponse } from '../../platform/after-response';
import { readJson } from '../../http/body';
import { mailRetryBody } from '../admin';
import { validate } from '../../http/validate';

/** Minutes a mail or webhook may stay due, or failing since it was queued, before it counts as stuck. */
export const STUCK_MINUTES = 15;

export interface AdminHealth {
  status: 'ok' | 'degraded';
  checks: ConfigCheck[];
  mail: MailHealth;
  webhooks: { dead: number; stuck: number };
  magnets: MagnetProblem[];
}

/** GET /healthz (public liveness); GET /admin/health and POST /admin/mail/retry (admin). */
export const healthRoutes = new Hono<AppEnv>()
  .get('/healthz', async (c) => {
    const started = Date.now();
    await pingDatabase(c.env.DB);
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok', db: 'ok', dbMs: Date.now() - started });
  })
  .use('/admin/health', requireAdminToken)
  .use('/admin/mail/*', requireAdminToken)
  /** Configuration, mail and webhook backlog, misconfigured magnets: what keeps leads from getting their mail. */
  .get('/admin/health', async (c) => {
    const now = Date.now();
    const checks = configChecks(c.env);
    let database: ConfigCheck;
    try {
      const started = Date.now();
      await pingDatabase(c.env.DB);
      database = { name: 'database', ok: true, detail: `D1 answered in ${Date.now() - started} ms` };
    } catch (err) {
      database = { name: 'database', ok: false, detail: `D1 failed: ${(err as Error).message}` };
    }
    checks.push(database);
    let mail: MailHealth = { dead: 0, stuck: 0, deadIds: [], lastError: null, lastErrorAt: null };
    let webhooks = { dead: 0, stuck: 0 };
    let magnets: MagnetProblem[] = [];
    if (database.ok) {
      const cutoff = now - STUCK_MINUTES * 60_000;
      [mail, webhooks, magnets] = await Promise.all([mailHealth(c.env.DB, now, STUCK_MINUTES * 60_000), webhookHealth(c.env.DB, cutoff), magnetProblems(c.env.DB)]);
    }
    const degraded = checks.some((x) => !x.ok) || mail.dead > 0 || mail.stuck > 0 || webhooks.dead > 0 || webhooks.stuck > 0 || magnets.length > 0;
    c.header('Cache-Control', 'no-store');
    return c.json<AdminHealth>({ status: degraded ? 'degraded' : 'ok', checks, mail, webhooks, magnets });
  })
  /**
   * Requeues dead mails (all, or the ids given) for an immediate send with a
   * fresh retry schedule. Unknown or not-dead ids are skipped, so a second
   * call sends nothing again.
   */
  .post('/admin/mail/retry', async (c) => {
    const absent = c.req.raw.body === null || c.req.header('content-length') === '0';
    const body = absent ? {} : validate(mailRetryBody, await readJson(c.req.raw, { maxBytes: 64 * 1024, mediaTypes: ['application/json'] }));
    const now = Date.now();
    const requeued = await requeueDeadMails(c.env.DB, body.ids?.length ? body.ids : null, now);
    if (requeued.length) {
      afterResponse(c, 'mail retry', (env) => retryOutbox(env, now, requeued));
      afterResponse(c, 'owner mail retry', (env) => sendOwnerMails(env, now, requeued));
    }
    return c.json({ requeued: requeued.length });
  });
