import { likelihoodOf, type Likelihood } from '../../core/review/likelihood';
import type { ExplanationLine } from '../../core/scoring';
import { getCalibration } from './store';

export interface ScoredLead {
  status: string;
  score: number;
  modelVersion: number;
  lines: readonly ExplanationLine[];
}

/**
 * The site's likelihood to buy, read once for many leads (a list, an
 * export). A lead gets one only when it is confirmed and scored with the
 * model version the calibration was fitted for; otherwise it is absent,
 * never zero.
 */
export async function likelihoodReader(db: D1Database, siteId: string): Promise<(lead: ScoredLead) => Likelihood | undefined> {
  const cal = await getCalibration(db, siteId);
  return (lead) => (cal && lead.status === 'confirmed' && lead.modelVersion === cal.modelVersion ? likelihoodOf(cal, lead.score, lead.lines) : undefined);
}

/** One lead's likelihood (lead detail, a webhook). */
export async function likelihoodFor(db: D1Database, siteId: string, lead: ScoredLead): Promise<Likelihood | undefined> {
  return (await likelihoodReader(db, siteId))(lead);
}

/** Whether the site has a calibration for this model version (the list's likelihood sort needs one). */
export async function calibrated(db: D1Database, siteId: string, modelVersion: number): Promise<boolean> {
  return (await getCalibration(db, siteId))?.modelVersion === modelVersion;
}
