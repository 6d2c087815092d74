/**
 * t.js: the tracker, loaded by s.js once tracking is allowed. It hands its
 * entry point to the s.js that loaded it; s.js and t.js are deployed
 * together (same build).
 */
import { startTracker } from './tracker';

try {
  window.lodestone?.('tracker', startTracker);
} catch {
  /* never into the host page */
}
