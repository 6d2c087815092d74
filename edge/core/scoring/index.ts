/**
 * The scoring core: pure functions, no I/O. The D1 layer stores what these
 * return (fit, EngagementState, StageState) and calls them per event, per
 * rescoring batch and per stage re-check. See docs/scoring.md.
 */
export * from './model';
export * from './fit';
export * from './decay';
export * from './engagement';
export * from './rescore';
export * from './stages';
export * from './explain';
export { scoreAt, minENorm, thresholdRanges, mergeTopByScore, crossingTime, type FitRange } from './ranking';
export { FREE_MAIL_DOMAINS } from './freemail';
