/**
 * s.js: the script tag build (IIFE).
 *
 *   <script defer src="https://EDGE/s.js" data-site="SITE"></script>
 *
 * Reads its data attributes, installs `window.lodestone` and waits for
 * consent. The tracker (t.js, next to s.js) is loaded only when tracking is
 * allowed; the widget (w.js) only when the page has a lead magnet.
 * See docs/snippet.md.
 */
import { boot } from './boot';

try {
  const me = document.currentScript as HTMLScriptElement;
  boot(me.dataset, me.src, me.nonce);
} catch {
  /* never into the host page */
}
