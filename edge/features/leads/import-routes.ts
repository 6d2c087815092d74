import { Hono } from 'hono';
import { keyActor, requireApiKey, type KeyedEnv } from '../sites';
import { getMagnet } from '../magnets';
import { deliverConfirmation, mailSettings } from '../mail';
import { refreshLeads } from '../scoring';
import { handOffNow } from '../sales';
import { deliverFreshWebhooks } from '../webhook-delivery';
import { parseRows } from '../../core/bulk-rows';
import { readUpload } from '../../http/body';
import { conflict, notFound } from '../../http/problem';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { linkBase } from '../../platform/request';
import { importQuery } from './import-schemas';
import { importLeads } from './import-leads';

/** Opt-in mails sent right after the answer, at most this long; the cron sends the rest (with fresh links). */
const MAIL_BUDGET_MS = 20_000;

/**
 * POST /v1/leads/import (docs/sales.md, "Import"): leads from fairs,
 * webinars and events as CSV, NDJSON or a JSON array, each row with its
 * legal basis. Answers a per-row report; scoring and hand-off look at the
 * changed leads before the answer, the opt-in mails go out after it.
 */
export const importRoutes = new Hono<KeyedEnv>()
  .post('/v1/leads/import', requireApiKey('leads:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const query = validate(importQuery, c.req.query(), 'query');
    const magnet = query.magnet ? await getMagnet(c.env.DB, siteId, query.magnet) : null;
    if (query.magnet && !magnet) throw notFound(`No lead magnet "${query.magnet}" in this site.`);
    if (query.sendOptin && !magnet?.file) throw conflict(`Lead magnet "${query.magnet}" has no file yet: its opt-in mail would promise a download that is not there.`);
    // Mail settings only matter when mail goes out: an import without it works where no mailer is configured.
    const settings = query.sendOptin ? mailSettings(c.env) : null;
    const { text, format } = await readUpload(c.req.raw);
    const now = Date.now();
    const started = performance.now();
    const out = await importLeads(c.env.DB, parseRows(text, format), {
      siteId, actor: keyActor(c), now, sendOptin: query.sendOptin, magnet,
      linkBase: settings ? linkBase(c.env) : '', tokenTtlMs: settings?.tokenTtlMs ?? 0,
    });
    const written = performance.now();
    // Scored before the answer: an imported lead is ranked and handed off like any other.
    const { enqueuedWebhooks: webhooks } = await refreshLeads(c.env.DB, siteId, out.changed, now);
    // Where the time goes, for the benchmark (npm run bench:loop).
    c.header('Server-Timing', `import;dur=${(written - started).toFixed(1)}, score;dur=${(performance.now() - written).toFixed(1)}`);
    if (webhooks) afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
    if (out.changed.length) afterResponse(c, 'hand-off', (env) => handOffNow(env, siteId));
    if (settings && out.mails.length) {
      afterResponse(c, 'opt-in mails', async (env) => {
        for (const m of out.mails) {
          if (Date.now() - now > MAIL_BUDGET_MS) break;
          await deliverConfirmation(env.DB, m.outboxId, { ...settings, now: Date.now(), token: m.token });
        }
      });
    }
    const count = (r: string) => out.report.filter((x) => x.result === r).length;
    c.header('Cache-Control', 'no-store');
    return c.json({
      created: count('created'), merged: count('merged'), unchanged: count('unchanged'), refused: count('refused'),
      optinMails: out.mails.length, rows: out.report,
    });
  });
