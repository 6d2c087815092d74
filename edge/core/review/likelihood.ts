import type { ExplanationLine } from '../scoring';
import { REVIEW_MINIMUM, requireOutcomes, withOutcomes, type FactRow } from './report';
import { plattScale, sigmoid } from './stats';

/**
 * Likelihood to buy: the current model's score turned into a probability by
 * a logistic curve fitted on the site's sales outcomes (Platt scaling).
 *
 * Why the score and not a second, hidden model: the likelihood then ranks
 * leads exactly as the score does, so sales never sees two orders that
 * disagree, and its reasons are the score's own rules. A better likelihood
 * comes from a better model: the suggestion (suggest.ts), once applied, is
 * calibrated in turn.
 */
export interface Calibration {
  modelVersion: number;
  a: number;
  b: number;
  outcomes: number;
  won: number;
  fittedAt: number;
}

/**
 * The calibration of a model version from the facts of its outcomes; null
 * below the review's minimum, or when the score does not rank buyers higher
 * at all (a falling curve would make the likelihood contradict the score).
 */
export function fitCalibration(rows: readonly FactRow[], modelVersion: number, now: number, openDays: number): Calibration | null {
  const { outcomes } = withOutcomes(rows, now, openDays);
  try {
    requireOutcomes(outcomes, REVIEW_MINIMUM, 'the likelihood');
  } catch {
    return null;
  }
  const { a, b } = plattScale(outcomes.map((o) => o.score), outcomes.map((o) => o.won));
  if (!(b > 0) || !Number.isFinite(a)) return null;
  return { modelVersion, a, b, outcomes: outcomes.length, won: outcomes.filter((o) => o.won).length, fittedAt: now };
}

export interface Likelihood {
  /** Probability of a purchase, 0…1. */
  probability: number;
  /** The three rules that move it most, in plain words. */
  factors: string[];
  basis: { outcomes: number; won: number; fittedAt: string; modelVersion: number };
}

const points = (n: number) => `${n > 0 ? '+' : '−'}${Math.round(Math.abs(n)).toLocaleString('en-US')} points`;

/** A lead's likelihood from its current score and explanation lines. */
export function likelihoodOf(c: Calibration, score: number, lines: readonly ExplanationLine[]): Likelihood {
  const probability = sigmoid(c.a + c.b * score);
  const factors = [...lines]
    .filter((l) => Math.round(l.points) !== 0)
    .sort((x, y) => Math.abs(y.points) - Math.abs(x.points))
    .slice(0, 3)
    .map((l) => `${l.label ?? l.id} (${points(l.points)}, ${l.points > 0 ? 'raises' : 'lowers'} it)`);
  return {
    probability: Number(probability.toFixed(4)),
    factors,
    basis: { outcomes: c.outcomes, won: c.won, fittedAt: new Date(c.fittedAt).toISOString(), modelVersion: c.modelVersion },
  };
}
