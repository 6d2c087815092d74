import { outcomeOf } from '../../core/review/facts';
import { createPreview, whyMoved, type PreviewLead } from '../../core/review/preview';
import type { LeadStatus, ScoringModel } from '../../core/scoring';
import { eventsOfLeads, getLeadScores, leadsAfter } from '../scoring';
import { OPEN_DAYS } from './constants';
import { outcomesOf } from './store';

/** Leads per page: one read of the leads, one of their events, one of their outcomes. */
const PAGE = 500;

async function page(db: D1Database, siteId: string, ids: string[], now: number): Promise<PreviewLead[]> {
  const [rows, events, outcomes] = await Promise.all([getLeadScores(db, siteId, ids), eventsOfLeads(db, siteId, ids), outcomesOf(db, siteId, ids)]);
  return rows.map((r) => {
    const o = outcomes.get(r.leadId);
    const outcome = o ? outcomeOf(o.salesStatus, o.refAt, now, OPEN_DAYS) : 'open';
    return {
      id: r.leadId,
      status: r.status as LeadStatus,
      profile: r.profile,
      events: events.get(r.leadId)?.scored ?? [],
      ...(o && outcome !== 'open' ? { outcome: { refAt: o.refAt, won: outcome === 'won' } } : {}),
    };
  });
}

/**
 * Every lead of the site under the current model and under `draft`, read
 * page by page; writes nothing. The movers are read once more at the end to
 * say why they moved.
 */
export async function previewDraft(db: D1Database, siteId: string, current: ScoringModel, draft: ScoringModel, now: number) {
  const preview = createPreview(current, draft, now);
  let cursor = '';
  for (;;) {
    const ids = await leadsAfter(db, siteId, cursor, PAGE);
    if (!ids.length) break;
    for (const lead of await page(db, siteId, ids, now)) preview.add(lead);
    cursor = ids.at(-1)!;
    if (ids.length < PAGE) break;
  }
  const movers = preview.movers();
  const leads = new Map((await page(db, siteId, [...movers.up, ...movers.down].map((m) => m.id), now)).map((l) => [l.id, l]));
  const explainAll = (list: typeof movers.up) => list.flatMap((m) => (leads.has(m.id) ? [whyMoved(current, draft, leads.get(m.id)!, now)] : []));
  return {
    at: new Date(now).toISOString(),
    currentVersion: current.version,
    ...preview.summary(),
    movers: { up: explainAll(movers.up), down: explainAll(movers.down) },
  };
}
