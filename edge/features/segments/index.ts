/**
 * Saved segments: named filters of the lead list, used by the list and its
 * exports. What other features may use; routes are mounted by app.ts.
 */
export { SEGMENT_OPERATIONS, SEGMENT_SCHEMAS } from './openapi';
export { getSegment } from './store';
export { segmentIdParam } from './schemas';
export type { SegmentFilter } from './schemas';
