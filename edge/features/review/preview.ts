import { outcomeOf } from '../../core/review/facts';
import { createPreview, sameEngagement, whyMoved, type PreviewLead } from '../../core/review/preview';
import { decayed, type LeadStatus, type ScoringModel } from '../../core/scoring';
import { eventsOfLeads, getLeadScores, leadsAfter } from '../scoring';
import { OPEN_DAYS } from './constants';
import { outcomesOf } from './store';

/** Leads per page: one read of the leads, one of their events, one of their outcomes. */
const PAGE = 500;

/**
 * A page of leads for the preview. With `replay` false the stored engagement
 * stands in for the events wherever it is of the current model (the draft
 * keeps the engagement rules); only the others' events are read.
 */
async function page(db: D1Database, siteId: string, ids: string[], current: ScoringModel, now: number, replay: boolean): Promise<PreviewLead[]> {
  const [rows, outcomes] = await Promise.all([getLeadScores(db, siteId, ids), outcomesOf(db, siteId, ids)]);
  const stored = (r: (typeof rows)[number]) => {
    if (replay || !r.score || r.score.modelVersion !== current.version) return undefined;
    const o = outcomes.get(r.leadId);
    return {
      now: decayed(r.score.eNorm, now, current.halfLifeDays),
      ...(o && o.modelVersion === current.version ? { atRef: o.engagement } : {}),
    };
  };
  const known = new Map(rows.map((r) => [r.leadId, stored(r)]));
  const needEvents = rows.filter((r) => {
    const k = known.get(r.leadId);
    return !k || (outcomes.has(r.leadId) && k.atRef === undefined);
  }).map((r) => r.leadId);
  const events = needEvents.length ? await eventsOfLeads(db, siteId, needEvents) : new Map();
  return rows.map((r) => {
    const o = outcomes.get(r.leadId);
    const outcome = o ? outcomeOf(o.salesStatus, o.refAt, now, OPEN_DAYS) : 'open';
    const k = known.get(r.leadId);
    return {
      id: r.leadId,
      status: r.status as LeadStatus,
      profile: r.profile,
      events: events.get(r.leadId)?.scored ?? (needEvents.includes(r.leadId) ? [] : null),
      ...(k ? { engagement: k } : {}),
      ...(o && outcome !== 'open' ? { outcome: { refAt: o.refAt, won: outcome === 'won' } } : {}),
    };
  });
}

/**
 * Every lead of the site under the current model and under `draft`, read
 * page by page; writes nothing. A draft that keeps the engagement rules
 * (the usual edit: fit points, thresholds) needs no events: the stored
 * engagement is the same under both. The movers are read once more at the end to
 * say why they moved.
 */
export async function previewDraft(db: D1Database, siteId: string, current: ScoringModel, draft: ScoringModel, now: number) {
  const preview = createPreview(current, draft, now);
  const replay = !sameEngagement(current, draft);
  let cursor = '';
  for (;;) {
    const ids = await leadsAfter(db, siteId, cursor, PAGE);
    if (!ids.length) break;
    for (const lead of await page(db, siteId, ids, current, now, replay)) preview.add(lead);
    cursor = ids.at(-1)!;
    if (ids.length < PAGE) break;
  }
  const movers = preview.movers();
  const leads = new Map((await page(db, siteId, [...movers.up, ...movers.down].map((m) => m.id), current, now, true)).map((l) => [l.id, l]));
  const explainAll = (list: typeof movers.up) =>
    list.flatMap((m) => { const l = leads.get(m.id); return l ? [whyMoved(current, draft, { ...l, events: l.events ?? [] }, now)] : []; });
  return {
    at: new Date(now).toISOString(),
    currentVersion: current.version,
    ...preview.summary(),
    movers: { up: explainAll(movers.up), down: explainAll(movers.down) },
  };
}
