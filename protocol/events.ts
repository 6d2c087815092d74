/**
 * The wire protocol between the browser parts (snippet, widget) and the edge.
 *
 * This module is the single definition of event kinds, shapes and limits. The
 * snippet imports only constants it needs (tree-shaken), the edge builds its
 * validators from the same numbers, so a limit can never drift between them.
 */

/** Every event kind the collector accepts. */
export const EVENT_KINDS = [
  'pageview',
  'pricing_view',
  'download',
  'outbound',
  'engagement',
  'form_view',
  'form_submit',
  'custom',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** Limits enforced by the edge; clients should stay inside them. */
export const LIMITS = {
  /** Events in one POST /v1/collect batch. */
  batchEvents: 100,
  /** Bytes of one request body (UTF-8). */
  batchBytes: 64 * 1024,
  /** Client ids (event, visitor): URL-safe characters only. */
  idMinLength: 8,
  idMaxLength: 64,
  siteIdMaxLength: 63,
  urlMaxLength: 2048,
  /** Custom event names. */
  nameMaxLength: 64,
  /** Custom props: small and flat. */
  propsMaxKeys: 20,
  propKeyMaxLength: 40,
  propValueMaxLength: 256,
  /** Engaged time on one page cannot exceed a day. */
  engagedMsMax: 24 * 60 * 60 * 1000,
  /** Magnet ids. */
  magnetIdMaxLength: 64,
} as const;

/** Pattern for client-generated ids (event ids, visitor ids). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
/**
 * A whole client id, length included: what the snippet checks before it
 * reuses a stored visitor id (same rule as CLIENT_ID_PATTERN + id lengths).
 */
export const CLIENT_ID_FULL_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Pattern for site ids: lowercase slug. */
export const SITE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** UTM parameters recorded on the first hit of a visit. */
export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
export type Utm = Partial<Record<(typeof UTM_KEYS)[number], string>>;

/** A flat property bag: small, no nesting. */
export type Props = Record<string, string | number | boolean>;

/**
 * One event as sent over the wire.
 *
 * Fields beyond `id`, `kind`, `ts` and `url` depend on the kind:
 * - `target`: the link for download and outbound
 * - `ms`: engaged milliseconds for engagement
 * - `magnet`: the lead magnet for form_view and form_submit
 * - `name`: the event name for custom
 */
export interface WireEvent {
  /** Client-generated id, unique per site: the idempotency key for retries. */
  id: string;
  kind: EventKind;
  /** Client time in epoch milliseconds; the edge clamps absurd values. */
  ts: number;
  /** The page the event happened on. */
  url: string;
  /** Visitor id; absent in anonymous mode. */
  vid?: string;
  /** Referrer, first hit of a visit. */
  ref?: string;
  /** UTM parameters, first hit of a visit. */
  utm?: Utm;
  target?: string;
  ms?: number;
  magnet?: string;
  name?: string;
  props?: Props;
}

/** Body of POST /v1/collect. */
export interface CollectBatch {
  site: string;
  events: WireEvent[];
  /**
   * Events the client had to drop since its last successful send because its
   * bounded queue was full (oldest first). Optional and informational: the
   * edge may record it; it does not validate it (unknown keys are ignored).
   */
  dropped?: number;
}

/** Body of a 202 answer to POST /v1/collect. */
export interface CollectResult {
  /** Events stored by this request. */
  accepted: number;
  /** Events already stored by an earlier try (same id): not stored again. */
  duplicates: number;
}
