/**
 * Lead magnets (whitepapers), their files and settings.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { streamMagnetFile } from './files-store';
export { leadsQuery, magnetApiBody, magnetBody } from './schemas';
export { getMagnet, listMagnets, magnetKnown, magnetProblems } from './store';
export type { Magnet, MagnetProblem } from './store';
