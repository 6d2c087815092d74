import { likelihoodOf, type Likelihood } from '../../core/review/likelihood';
import type { ExplanationLine } from '../../core/scoring';
import { getCalibration } from './store';

export interface ScoredLead {
  status: string;
  score: number;
  modelVersion: number;
  lines: readonly ExplanationLine[];
}

/** A site's likelihood to buy for its leads, and the model version it is calibrated for (null: none yet). */
export interface Likelihoods {
  (lead: ScoredLead): Likelihood | undefined;
  readonly modelVersion: number | null;
}

/**
 * The site's likelihood to buy, read once for many leads (a list, an
 * export). A lead gets one only when it is confirmed and scored with the
 * model version the calibration was fitted for; otherwise it is absent,
 * never zero.
 */
export async function likelihoodReader(db: D1Database, siteId: string): Promise<Likelihoods> {
  const cal = await getCalibration(db, siteId);
  const of = (lead: ScoredLead) => (cal && lead.status === 'confirmed' && lead.modelVersion === cal.modelVersion ? likelihoodOf(cal, lead.score, lead.lines) : undefined);
  return Object.assign(of, { modelVersion: cal?.modelVersion ?? null });
}

/** One lead's likelihood (lead detail, a webhook). */
export async function likelihoodFor(db: D1Database, siteId: string, lead: ScoredLead): Promise<Likelihood | undefined> {
  return (await likelihoodReader(db, siteId))(lead);
}
