/**
 * A site's sales settings with their defaults: where the hand-off happens,
 * how long an owner has to answer, and the reasons sales may give.
 */
export interface SalesSettings {
  /** The stage that hands a lead to sales (and triggers routing). */
  handoffStage: 'mql' | 'sql';
  /** Hours an owner has to accept or reject before the lead moves on. */
  slaHours: number;
  rejectReasons: string[];
  lostReasons: string[];
}

export const DEFAULT_SALES_SETTINGS: SalesSettings = {
  handoffStage: 'sql',
  slaHours: 24,
  rejectReasons: ['no_budget', 'wrong_person', 'competitor', 'bad_data', 'no_need', 'duplicate'],
  lostReasons: ['price', 'competitor', 'no_decision', 'timing', 'product_fit'],
};

/** Limits of the settings document. */
export const SALES_LIMITS = {
  slaHoursMax: 24 * 30,
  reasons: 30,
  reasonLength: 40,
} as const;
