/**
 * Sales qualification (BANT) as small enums, so fit rules can match them and
 * what sales learns about a lead feeds its score. `unknown` is a value, not a
 * gap: "we asked and do not know" differs from "never asked" (absent).
 */
export const BANT = {
  /** Is money there for it? */
  budget: ['unknown', 'none', 'planned', 'approved'],
  /** Does the contact decide? */
  authority: ['unknown', 'user', 'influencer', 'decision_maker'],
  /** How much does the company need it? */
  need: ['unknown', 'none', 'nice_to_have', 'must_have'],
  /** When do they plan to buy: within a month, three months, a year, or later. */
  timeline: ['unknown', 'now', 'quarter', 'year', 'later'],
} as const;

export type BantField = keyof typeof BANT;
export const BANT_FIELDS = Object.keys(BANT) as BantField[];
export type Bant = { [K in BantField]: (typeof BANT)[K][number] };
