/** Outcomes of a lead handed off this long ago without a win count as not won (docs/scoring-review.md). */
export const OPEN_DAYS = 180;
