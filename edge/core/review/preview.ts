import {
  evaluateFit,
  explain,
  qualifiedStage,
  scoreFromScratch,
  temperatureOf,
  type ExplanationLine,
  type LeadProfile,
  type LeadStatus,
  type ScoringEvent,
  type ScoringModel,
} from '../scoring';
import { rocAuc } from './stats';

/**
 * A draft model's effect before it is saved: every lead scored with the
 * current model and with the draft, compared by stage, temperature and
 * rank. Pure: the caller feeds leads page by page and reads the summary.
 *
 * Both sides are scored from scratch from the same events at the same
 * moment and compared by the stage each qualifies for, so a cool-down that
 * holds a lead today does not show as a change. Movers are ranked by their
 * change in percentile rank, not in points: a draft may use another scale.
 */

export interface PreviewLead {
  id: string;
  status: LeadStatus;
  profile: LeadProfile;
  /** Null when `engagement` is given and the draft keeps the engagement rules: then no replay is needed. */
  events: readonly ScoringEvent[] | null;
  /** The current model's engagement now and at the hand-off, as stored, when it is up to date. */
  engagement?: { now: number; atRef?: number };
  /** Set for a lead with a sales outcome: its hand-off moment and whether it was won. */
  outcome?: { refAt: number; won: boolean };
}

/** Whether two models score behaviour alike: then a draft changes fit, thresholds or temperature only. */
export function sameEngagement(a: ScoringModel, b: ScoringModel): boolean {
  return a.halfLifeDays === b.halfLifeDays && JSON.stringify(a.engagement) === JSON.stringify(b.engagement)
    && JSON.stringify(a.freeMailDomains ?? null) === JSON.stringify(b.freeMailDomains ?? null);
}

interface Scored {
  id: string;
  before: number;
  after: number;
}

const MOVERS = 20;

export function createPreview(current: ScoringModel, draft: ScoringModel, now: number) {
  const same = sameEngagement(current, draft);
  /** Fit and engagement of a lead under a model at a moment: from the stored engagement when it holds, else replayed. */
  const score = (m: ScoringModel, lead: PreviewLead, at: number, stored: number | undefined) => {
    if (same && stored !== undefined) {
      const fit = evaluateFit(m, lead.profile).fit;
      return { fit, engagement: stored, score: fit + stored };
    }
    if (!lead.events) throw new RangeError(`lead ${lead.id} needs its events`);
    const s = scoreFromScratch(m, lead.profile, lead.events.filter((e) => e.ts <= at), at);
    return { fit: s.fit.fit, engagement: s.engagement, score: s.score };
  };
  const scored: Scored[] = [];
  const stages = new Map<string, number>();
  const temperatures = new Map<string, number>();
  const outcomes: { before: number; after: number; won: boolean }[] = [];
  const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  return {
    add(lead: PreviewLead): void {
      const b = score(current, lead, now, lead.engagement?.now);
      const a = score(draft, lead, now, lead.engagement?.now);
      scored.push({ id: lead.id, before: b.score, after: a.score });
      count(stages, `${qualifiedStage(current, lead.status, b.fit, b.engagement)}>${qualifiedStage(draft, lead.status, a.fit, a.engagement)}`);
      count(temperatures, `${temperatureOf(current, b.score, b.engagement)}>${temperatureOf(draft, a.score, a.engagement)}`);
      if (lead.outcome) {
        const at = lead.outcome.refAt;
        const stored = lead.engagement?.atRef;
        outcomes.push({ before: score(current, lead, at, stored).score, after: score(draft, lead, at, stored).score, won: lead.outcome.won });
      }
    },
    /** The movers' ids, up and down, once every lead was added. */
    movers(): { up: Scored[]; down: Scored[] } {
      const n = scored.length;
      const rank = (key: 'before' | 'after') => {
        const order = scored.map((_, i) => i).sort((x, y) => scored[x]![key] - scored[y]![key]);
        const r = new Array<number>(n);
        // Ties share their mean rank, so equal scores do not look like movement.
        for (let i = 0; i < n;) {
          let j = i;
          while (j + 1 < n && scored[order[j + 1]!]![key] === scored[order[i]!]![key]) j++;
          for (let k = i; k <= j; k++) r[order[k]!] = (i + j) / 2 / Math.max(1, n - 1);
          i = j + 1;
        }
        return r;
      };
      const rb = rank('before');
      const ra = rank('after');
      const moves = scored.map((s, i) => ({ s, d: ra[i]! - rb[i]! })).filter((m) => Math.abs(m.d) > 1e-12);
      const up = moves.filter((m) => m.d > 0).sort((x, y) => y.d - x.d).slice(0, MOVERS).map((m) => m.s);
      const down = moves.filter((m) => m.d < 0).sort((x, y) => x.d - y.d).slice(0, MOVERS).map((m) => m.s);
      return { up, down };
    },
    summary() {
      const matrix = (m: Map<string, number>) =>
        [...m].map(([k, leads]) => { const [from, to] = k.split('>'); return { from: from!, to: to!, leads }; })
          .filter((e) => e.from !== e.to).sort((x, y) => y.leads - x.leads);
      const changed = (m: Map<string, number>) => matrix(m).reduce((s, e) => s + e.leads, 0);
      const labels = outcomes.map((o) => o.won);
      return {
        leads: scored.length,
        stages: { changed: changed(stages), changes: matrix(stages) },
        temperatures: { changed: changed(temperatures), changes: matrix(temperatures) },
        outcomes: {
          /** False while the outcome facts are still being computed (the cron continues). */
          complete: true,
          leads: outcomes.length,
          won: labels.filter(Boolean).length,
          current: rocAuc(outcomes.map((o) => o.before), labels),
          draft: rocAuc(outcomes.map((o) => o.after), labels),
        },
      };
    },
  };
}

/** Why a lead moved: the rules whose contribution changed most between the two models. */
export function whyMoved(current: ScoringModel, draft: ScoringModel, lead: PreviewLead & { events: readonly ScoringEvent[] }, now: number) {
  const side = (m: ScoringModel) => {
    const s = scoreFromScratch(m, lead.profile, lead.events, now);
    return { score: s.score, stage: qualifiedStage(m, lead.status, s.fit.fit, s.engagement), temperature: s.temperature, lines: explain(m, s.fit, s.state, now).lines };
  };
  const b = side(current);
  const a = side(draft);
  const byId = (lines: ExplanationLine[]) => new Map(lines.map((l) => [l.id, l]));
  const lb = byId(b.lines);
  const la = byId(a.lines);
  const ids = new Set([...lb.keys(), ...la.keys()]);
  const diffs = [...ids].map((id) => {
    const before = lb.get(id)?.points ?? 0;
    const after = la.get(id)?.points ?? 0;
    return { id, label: la.get(id)?.label ?? lb.get(id)?.label ?? id, before: Math.round(before), after: Math.round(after) };
  }).filter((d) => d.before !== d.after).sort((x, y) => Math.abs(y.after - y.before) - Math.abs(x.after - x.before)).slice(0, 3);
  return {
    lead: lead.id,
    before: { score: Math.round(b.score), stage: b.stage, temperature: b.temperature },
    after: { score: Math.round(a.score), stage: a.stage, temperature: a.temperature },
    why: diffs.map((d) => `${d.label}: ${d.before} → ${d.after} points`),
  };
}
