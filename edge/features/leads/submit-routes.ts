import { Hono, type Context } from 'hono';
import { LEAD_LIMITS, type Lang, type LeadAccepted, type MagnetPublic } from '../../../protocol';
import { getMagnet, type Magnet } from '../magnets';
import { getSite, allowOrigin, type Site } from '../sites';
import type { AppEnv } from '../../platform/env';
import { readJson } from '../../http/body';
import { clientIp, country, evidence, linkBase } from '../../platform/request';
import { onLeadChanged } from '../scoring';
import { forbiddenOrigin, notConfigured, notFound, unknownSite } from '../../http/problem';
import { limitClient } from '../../platform/rate-limit';
import { verifyTurnstile } from '../../platform/turnstile';
import { WIDGET_COPY } from './widget-copy';
import { langOf } from '../../http/page-layout';
import { deliverConfirmation, mailSettings } from '../mail';
import { submitLead } from './submit-lead';
import { siteId as siteIdSchema } from '../../core/schemas/events';
import { leadEnvelope, leadSubmission, magnetId as magnetIdSchema } from './schemas';
import { validate } from '../../http/validate';
import { afterResponse } from '../../platform/after-response';
import { deliverFreshWebhooks } from '../webhook-delivery';

/** text/plain lets the widget post without a CORS preflight. */
const MEDIA_TYPES = ['text/plain', 'application/json'] as const;

/** The public view of a magnet: what the widget renders, with its words in `lang`. */
export function toPublic(m: Magnet, turnstileSiteKey: string | undefined, lang: Lang): MagnetPublic {
  const out: MagnetPublic = {
    site: m.siteId,
    id: m.id,
    title: m.title,
    description: m.description,
    lang: m.lang,
    fields: m.fields,
    consent: { text: m.consent.text, version: m.consent.version },
    privacyUrl: m.privacyUrl,
    coupled: m.coupled,
    ui: WIDGET_COPY[lang],
  };
  if (m.marketing) out.marketing = { text: m.marketing.text, version: m.marketing.version };
  if (m.turnstile && turnstileSiteKey) out.turnstileSiteKey = turnstileSiteKey;
  return out;
}

/** Site and origin check shared by both routes: only listed origins get an answer they can read. */
async function siteForOrigin(c: Context<AppEnv>, id: string, required: boolean): Promise<Site> {
  const site = await getSite(c.env.DB, id);
  if (!site) throw unknownSite(id);
  const origin = c.req.header('origin') ?? '';
  if (origin || required) {
    if (!site.origins.includes(origin)) throw forbiddenOrigin(origin);
    allowOrigin(c, origin);
  }
  return site;
}

/** A magnet that can deliver: configured and with its file uploaded. */
async function deliverableMagnet(c: Context<AppEnv>, siteId: string, id: string): Promise<Magnet> {
  const magnet = await getMagnet(c.env.DB, siteId, id);
  if (!magnet) throw notFound(`Site "${siteId}" has no lead magnet "${id}".`);
  if (!magnet.file) throw notConfigured(`Lead magnet "${id}" has no file yet; upload one through the admin API.`);
  return magnet;
}

export const leadRoutes = new Hono<AppEnv>()
  /** GET /v1/magnets/:site/:magnet?lang=de|en: the widget's config. Cacheable for a minute. */
  .get('/v1/magnets/:site/:magnet', async (c) => {
    const siteId = validate(siteIdSchema, c.req.param('site'), 'site id');
    const id = validate(magnetIdSchema, c.req.param('magnet'), 'magnet id');
    await siteForOrigin(c, siteId, false);
    const magnet = await deliverableMagnet(c, siteId, id);
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(toPublic(magnet, c.env.TURNSTILE_SITE_KEY, langOf(c.req.query('lang'))));
  })
  /**
   * POST /v1/leads: a form submission. Cheap checks first, then the site and
   * origin, configuration, full validation; one batch stores everything and
   * only then does the visitor get "check your inbox". The confirmation mail
   * goes out right after the answer (waitUntil); if that send fails, the
   * outbox row it left behind is retried by the cron.
   */
  .post('/v1/leads', async (c) => {
    const body = await readJson(c.req.raw, { maxBytes: LEAD_LIMITS.bodyBytes, mediaTypes: MEDIA_TYPES });
    const envelope = validate(leadEnvelope, body);
    const site = await siteForOrigin(c, envelope.site, true);

    await limitClient(c, `lead:${site.id}`);

    const settings = mailSettings(c.env);
    const base = linkBase(c.env);
    const magnet = await deliverableMagnet(c, site.id, envelope.magnet);
    const input = validate(leadSubmission, body);
    const now = Date.now();
    const { TURNSTILE_SECRET: tsSecret, TURNSTILE_SITE_KEY: tsKey } = c.env;
    const outcome = await submitLead(c.env.DB, input, {
      magnet,
      evidence: await evidence(c, settings.secret),
      linkBase: base,
      tokenTtlMs: settings.tokenTtlMs,
      now,
      turnstile: magnet.turnstile && tsSecret && tsKey ? (token) => verifyTurnstile(tsSecret, token, clientIp(c)) : undefined,
    });
    if (outcome.stored && (await onLeadChanged(c.env.DB, site.id, outcome.leadId, { country: country(c), now })).enqueuedWebhooks) {
      afterResponse(c, 'webhook delivery', deliverFreshWebhooks);
    }
    if (outcome.stored && outcome.mail) {
      const { outboxId, token } = outcome.mail;
      afterResponse(c, 'confirmation mail', (env) => deliverConfirmation(env.DB, outboxId, { ...settings, now, token }));
    }
    c.header('Cache-Control', 'no-store');
    return c.json<LeadAccepted>({ status: 'check_inbox' }, 202);
  });
