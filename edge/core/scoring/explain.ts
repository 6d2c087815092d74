import { decayed } from './decay';
import { ruleState, type EngagementState } from './engagement';
import type { FitResult } from './fit';
import type { ScoringModel } from './model';
import { temperatureOf, type Temperature } from './stages';

/**
 * Why a lead scores what it scores: one line per rule that contributed,
 * biggest absolute contribution first. This is what sales reads next to a
 * hot lead ("pricing page ×4, capped today; download ×1; decision maker"),
 * and what marketing reads when re-evaluating the model.
 *
 * Fit lines: matched fit rules (points are static). Engagement lines: every
 * rule the lead has matched, with its points now (decayed), the raw points
 * it counted, the number of matching events, whether a cap dropped points,
 * and the last event time. Lines that contribute nothing now (e.g. a rule
 * whose points were all capped away) stay in the list, at the end: "capped"
 * is part of the answer.
 */

export interface ExplanationLine {
  id: string;
  label?: string | undefined;
  group: 'fit' | 'engagement';
  /** Contribution to the score now (decayed for engagement). */
  points: number;
  /** Raw points counted (after caps, before decay); equals `points` for fit. */
  raw: number;
  /** Matching events (1 for a matched fit rule). */
  count: number;
  capped: boolean;
  /** Latest matching event time; null for fit. */
  lastTs: number | null;
}

export interface Explanation {
  score: number;
  fit: number;
  engagement: number;
  temperature: Temperature;
  modelVersion: number;
  lines: ExplanationLine[];
}

export function explain(model: ScoringModel, fit: FitResult, state: EngagementState, now: number): Explanation {
  const H = model.halfLifeDays;
  const lines: ExplanationLine[] = [];
  for (const f of fit.rules) {
    if (f.matched) lines.push({ id: f.id, label: f.label, group: 'fit', points: f.points, raw: f.points, count: 1, capped: false, lastTs: null });
  }
  for (const rule of model.engagement) {
    const s = ruleState(state, rule.id);
    if (!s) continue;
    lines.push({
      id: rule.id, label: rule.label, group: 'engagement', points: decayed(s.norm, now, H), raw: s.raw, count: s.count,
      capped: s.capped, lastTs: s.lastTs,
    });
  }
  lines.sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const engagement = decayed(state.eNorm, now, H);
  const score = fit.fit + engagement;
  return { score, fit: fit.fit, engagement, temperature: temperatureOf(model, score, engagement), modelVersion: state.modelVersion, lines };
}
