import { Hono } from 'hono';
import { requireApiKey, getSite, type KeyedEnv } from '../sites';
import { readJson } from '../../http/body';
import { notFound, ProblemError } from '../../http/problem';
import { validate } from '../../http/validate';
import { PROBLEM_TYPES } from '../../../protocol';
import { DEFAULT_NURTURE_SETTINGS } from '../../core/nurture/sequence';
import { DEV_SENDER, devOutboxEnabled, insertDevMail } from '../mail';
import { linkBase } from '../../platform/request';
import { getNurtureSettings, getSequence, listSequences, putNurtureSettings, type StoredSequence } from './sequences-store';
import { putSequence } from './sequences';
import { sequenceStats } from './stats-store';
import { leadsForNurture } from './enrollments-store';
import { magnetTitleFor } from './delivery-store';
import { renderStepMail } from './delivery';
import { previewQuery, sequenceBody, sequenceIdParam, settingsBody } from './schemas';

const SEQUENCE_BODY = { maxBytes: 256 * 1024, mediaTypes: ['application/json'] } as const;
const SETTINGS_BODY = { maxBytes: 4 * 1024, mediaTypes: ['application/json'] } as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const summary = (s: StoredSequence) => ({
  id: s.id, name: s.name, status: s.status, version: s.version, trigger: s.sequence.trigger, steps: s.sequence.steps.length,
  createdAt: iso(s.createdAt), savedAt: iso(s.updatedAt),
});

/**
 * Nurture API (marketing API keys): the site's sequences as versioned
 * documents, their numbers, a preview of a step's mail for a lead, and the
 * site's frequency cap, send rate and time zone.
 */
export const nurtureRoutes = new Hono<KeyedEnv>()
  .get('/v1/sequences', requireApiKey('leads:read', 'config:write'), async (c) => {
    const sequences = await listSequences(c.env.DB, c.get('apiKey').siteId);
    return c.json({ sequences: sequences.map(summary) });
  })
  .get('/v1/sequences/:id', requireApiKey('leads:read', 'config:write'), async (c) => {
    const id = validate(sequenceIdParam, c.req.param('id'), 'sequence id');
    const stored = await getSequence(c.env.DB, c.get('apiKey').siteId, id);
    if (!stored) throw notFound(`No sequence "${id}".`);
    return c.json({ id, version: stored.version, savedAt: iso(stored.updatedAt), sequence: { ...stored.sequence, version: stored.version } });
  })
  /** Saves a new version (validated first: an invalid document changes nothing). 201 for a new sequence. */
  .put('/v1/sequences/:id', requireApiKey('config:write'), async (c) => {
    const id = validate(sequenceIdParam, c.req.param('id'), 'sequence id');
    const body = validate(sequenceBody, await readJson(c.req.raw, SEQUENCE_BODY));
    const { created, stored } = await putSequence(c.env.DB, c.get('apiKey').siteId, id, body, Date.now());
    return c.json({ id, version: stored.version, savedAt: iso(stored.updatedAt), sequence: { ...stored.sequence, version: stored.version } }, created ? 201 : 200);
  })
  .get('/v1/sequences/:id/stats', requireApiKey('leads:read'), async (c) => {
    const id = validate(sequenceIdParam, c.req.param('id'), 'sequence id');
    const siteId = c.get('apiKey').siteId;
    const stored = await getSequence(c.env.DB, siteId, id);
    if (!stored) throw notFound(`No sequence "${id}".`);
    const stats = await sequenceStats(c.env.DB, siteId, id);
    // Every step of the current version, in order, also those nobody reached yet; then steps only older versions had.
    const empty = { sent: 0, clicked: 0, pending: 0, failed: 0, unsubscribed: 0, exited: 0, waiting: 0 };
    const current = stored.sequence.steps.map((s) => ({ id: s.id, type: s.type, ...empty, ...stats.steps[s.id] }));
    const former = Object.entries(stats.steps).filter(([sid]) => !stored.sequence.steps.some((s) => s.id === sid)).map(([sid, n]) => ({ id: sid, type: null, ...n }));
    return c.json({
      id, version: stored.version, status: stored.status, entered: stats.entered, leads: stats.leads, active: stats.active, completed: stats.completed,
      exited: stats.exited, reached: { mql: stats.reachedMql, sql: stats.reachedSql }, steps: [...current, ...former],
    });
  })
  /**
   * The mail of a send step as a lead would get it (without a lead: with
   * empty profile values). Links point at their targets, the unsubscribe
   * link is inert: a preview records and withdraws nothing. With outbox=1
   * in local dev it also lands in /dev/outbox, to be looked at in a browser.
   */
  .get('/v1/sequences/:id/steps/:step/preview', requireApiKey('leads:read', 'config:write'), async (c) => {
    const id = validate(sequenceIdParam, c.req.param('id'), 'sequence id');
    const stepId = validate(sequenceIdParam, c.req.param('step'), 'step id');
    const q = validate(previewQuery, c.req.query(), 'query');
    const db = c.env.DB;
    const siteId = c.get('apiKey').siteId;
    const [stored, site] = await Promise.all([getSequence(db, siteId, id), getSite(db, siteId)]);
    if (!stored) throw notFound(`No sequence "${id}".`);
    const step = stored.sequence.steps.find((s) => s.id === stepId);
    if (!step) throw notFound(`Sequence "${id}" has no step "${stepId}".`);
    if (step.type !== 'send') throw new ProblemError(422, PROBLEM_TYPES.validation, 'Not a mail', `Step "${stepId}" is a ${step.type} step; only send steps have a mail.`);
    const lead = q.lead ? (await leadsForNurture(db, siteId, [q.lead])).get(q.lead) : undefined;
    if (q.lead && !lead) throw notFound(`No lead "${q.lead}".`);
    const lang = q.lang ?? (lead?.lang === 'de' ? 'de' : lead ? 'en' : 'en');
    const mail = (await renderStepMail(stored.sequence, stepId, {
      lang, siteName: site!.name, firstName: lead?.profile.firstName ?? null, company: lead?.profile.company ?? null,
      magnetTitle: await magnetTitleFor(db, siteId, lead?.id ?? null, stored.sequence.trigger.on === 'download' ? stored.sequence.trigger.magnet : null), secret: '', base: linkBase(c.env), mailId: 'preview',
      siteId, leadId: lead?.id ?? 'preview', now: Date.now(),
    }, 'preview'))!;
    let outbox: string | null = null;
    if (q.outbox) {
      if (!devOutboxEnabled(c.env)) throw new ProblemError(422, PROBLEM_TYPES.validation, 'No dev outbox', 'outbox=1 works only in local development (npm run dev), where /dev/outbox exists.');
      outbox = await insertDevMail(db, { to: lead?.email ?? 'preview@lodestone.localhost', from: c.env.MAIL_FROM || DEV_SENDER, subject: `[Preview] ${mail.subject}`, text: mail.text, html: mail.html, headers: mail.headers }, Date.now());
    }
    return c.json({ sequence: id, version: stored.version, step: stepId, lead: lead?.id ?? null, lang, subject: mail.subject, text: mail.text, html: mail.html, links: mail.links, outbox });
  })
  .get('/v1/nurture-settings', requireApiKey('leads:read', 'config:write'), async (c) => {
    const { settings, updatedAt } = await getNurtureSettings(c.env.DB, c.get('apiKey').siteId);
    return c.json({ ...settings, defaults: DEFAULT_NURTURE_SETTINGS, updatedAt: iso(updatedAt) });
  })
  .put('/v1/nurture-settings', requireApiKey('config:write'), async (c) => {
    const siteId = c.get('apiKey').siteId;
    const body = validate(settingsBody, await readJson(c.req.raw, SETTINGS_BODY));
    await putNurtureSettings(c.env.DB, siteId, body, Date.now());
    const { settings, updatedAt } = await getNurtureSettings(c.env.DB, siteId);
    return c.json({ ...settings, defaults: DEFAULT_NURTURE_SETTINGS, updatedAt: iso(updatedAt) });
  });
