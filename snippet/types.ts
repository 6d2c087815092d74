/**
 * Types shared by the two halves of the snippet: the first-load part (s.js:
 * consent, identity, command function) and the tracker loaded after consent
 * (t.js). They are separate bundles, so what crosses between them is this
 * small, stable interface: property names here are not minified.
 */

/** 0: off (nothing is tracked), 1: anonymous (no id, no storage), 2: full. */
export type Level = 0 | 1 | 2;

/** Configuration as strings: a script tag's `dataset`, or `init()` options. */
export type Options = Record<string, string | undefined>;

/** What the first-load part hands to the tracker. */
export interface Host {
  /** The options (data attributes) the snippet was loaded with; `site` is set. */
  options: Options;
  /** URL the snippet was loaded from; the default endpoint resolves against it. */
  base: string;
  /** Whether marketing consent was given (reported to `visitor` callbacks). */
  marketing(): boolean;
}

/** What the tracker hands back. */
export interface Tracker {
  /** Runs a command meant for the tracker (track, download, form_view, form_submit, visitor). */
  command(args: ArrayLike<unknown>): unknown;
  /** Switches tracking level; lowering it drops everything queued and forgets the visitor id. */
  level(level: Level): void;
}

/** The tracker entry point (t.js, or bundled in the ES module build). */
export type StartTracker = (host: Host) => Tracker;

/** The public command function, `window.lodestone`. */
export interface Lodestone {
  (command: string, ...args: unknown[]): unknown;
  /** Calls queued by the loader stub before the snippet ran. */
  q?: ArrayLike<unknown>[];
  /** Set once a real snippet owns the global (a second copy then does nothing). */
  loaded?: boolean;
}

declare global {
  interface Window {
    lodestone?: Lodestone;
    dataLayer?: unknown[];
    __tcfapi?: (command: string, version: number, callback: (data: unknown, success: boolean) => void) => void;
    doNotTrack?: string;
  }
  interface Navigator {
    globalPrivacyControl?: boolean;
  }
  interface Document {
    /** Speculation Rules prerendering (Chromium). */
    readonly prerendering?: boolean;
  }
}
