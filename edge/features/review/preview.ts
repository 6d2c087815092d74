import { outcomeOf } from '../../core/review/facts';
import { createPreview, sameEngagement, whyMoved, type PreviewLead } from '../../core/review/preview';
import { decayed, type LeadStatus, type ScoringEvent, type ScoringModel } from '../../core/scoring';
import { eventsOfLeads } from '../scoring';
import { OPEN_DAYS } from './constants';
import { previewRows, previewRowsOf, type PreviewRow } from './store';

/** Leads per page: one statement for them, one more for the events of those that need replaying. */
const PAGE = 1000;

/**
 * Preview leads from stored rows. With `replay` false the stored engagement
 * stands in for the events wherever it is of the current model (the draft
 * keeps the engagement rules); only the others' events are read.
 */
async function toLeads(db: D1Database, siteId: string, rows: readonly PreviewRow[], current: ScoringModel, now: number, replay: boolean): Promise<PreviewLead[]> {
  const known = new Map(rows.map((r) => [r.id, replay || r.eNorm === null || r.scoreVersion !== current.version ? undefined : {
    now: decayed(r.eNorm, now, current.halfLifeDays),
    ...(r.outcome && r.outcome.modelVersion === current.version ? { atRef: r.outcome.engagement } : {}),
  }]));
  const needEvents = rows.filter((r) => { const k = known.get(r.id); return !k || (r.outcome !== null && k.atRef === undefined); }).map((r) => r.id);
  const events = needEvents.length ? await eventsOfLeads(db, siteId, needEvents) : new Map<string, { scored: ScoringEvent[] }>();
  return rows.map((r) => {
    const outcome = r.outcome ? outcomeOf(r.outcome.salesStatus, r.outcome.refAt, now, OPEN_DAYS) : 'open';
    const k = known.get(r.id);
    return {
      id: r.id,
      status: r.status as LeadStatus,
      profile: r.profile,
      events: events.get(r.id)?.scored ?? (needEvents.includes(r.id) ? [] : null),
      ...(k ? { engagement: k } : {}),
      ...(r.outcome && outcome !== 'open' ? { outcome: { refAt: r.outcome.refAt, won: outcome === 'won' } } : {}),
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
    const rows = await previewRows(db, siteId, cursor, PAGE);
    if (!rows.length) break;
    for (const lead of await toLeads(db, siteId, rows, current, now, replay)) preview.add(lead);
    cursor = rows.at(-1)!.id;
    if (rows.length < PAGE) break;
  }
  const movers = preview.movers();
  const moverRows = await previewRowsOf(db, siteId, [...movers.up, ...movers.down].map((m) => m.id));
  const leads = new Map((await toLeads(db, siteId, moverRows, current, now, true)).map((l) => [l.id, l]));
  const explainAll = (list: typeof movers.up) =>
    list.flatMap((m) => { const l = leads.get(m.id); return l ? [whyMoved(current, draft, { ...l, events: l.events ?? [] }, now)] : []; });
  return {
    at: new Date(now).toISOString(),
    currentVersion: current.version,
    ...preview.summary(),
    movers: { up: explainAll(movers.up), down: explainAll(movers.down) },
  };
}
