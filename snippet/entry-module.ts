/**
 * dist/snippet.mjs: the ES module build for apps that bundle their own
 * JavaScript. The same code as s.js + t.js, with the tracker bundled instead
 * of loaded on demand (the app's bundler can split it).
 *
 *   import { init } from 'lodestone/dist/snippet.mjs';
 *   const lodestone = init({ site: 'demo', base: 'https://edge.example.com/' });
 *   lodestone('consent', { analytics: true, marketing: false });
 */
import { boot } from './boot';
import { startTracker } from './tracker';
import type { Lodestone, Options } from './types';

export type { Lodestone, Options } from './types';

/** The data attributes of the script tag, camel-cased, plus `base`. */
export interface InitOptions extends Options {
  /** Site id (data-site). Others: endpoint, mode, consent, gpc, pricing, downloads, hash. */
  site: string;
  /** URL of the Lodestone edge (where s.js would be served); the endpoint and w.js resolve against it. */
  base: string;
  /** CSP nonce for the widget script, if the page uses one. */
  nonce?: string;
}

/**
 * Starts Lodestone (once per page; later calls return the running instance)
 * and returns the command function, which is also `window.lodestone`.
 */
export function init(options: InitOptions): Lodestone {
  try {
    boot(options, options.base, options.nonce || '', startTracker);
  } catch {
    /* never into the host page */
  }
  return window.lodestone || (() => undefined);
}
