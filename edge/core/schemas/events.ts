import * as v from 'valibot';
import { MAX_DATE_MS } from './instant';
import { envelopeBody, objectBody } from './object';
import { CLIENT_ID_PATTERN, LIMITS, SITE_ID_PATTERN, UTM_KEYS } from '../../../protocol';

/** Validators for POST /v1/collect, built from the shared protocol limits. */

/** An absolute http(s) URL: what pages, referrers and links must be. */
export const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

export const siteId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(LIMITS.siteIdMaxLength, `must be at most ${LIMITS.siteIdMaxLength} characters`),
  v.regex(SITE_ID_PATTERN, 'must be a lowercase slug (a-z, 0-9, -)'),
);

const clientId = v.pipe(
  v.string('must be a string'),
  v.minLength(LIMITS.idMinLength, `must be at least ${LIMITS.idMinLength} characters`),
  v.maxLength(LIMITS.idMaxLength, `must be at most ${LIMITS.idMaxLength} characters`),
  v.regex(CLIENT_ID_PATTERN, 'must contain only A-Z, a-z, 0-9, _ and -'),
);

const httpUrl = v.pipe(
  v.string('must be a string'),
  v.maxLength(LIMITS.urlMaxLength, `must be at most ${LIMITS.urlMaxLength} characters`),
  v.check(isHttpUrl, 'must be an absolute http(s) URL'),
);

const shortText = (max: number) =>
  v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(max, `must be at most ${max} characters`));

const epochMs = v.pipe(v.number('must be a number'), v.safeInteger('must be an integer (epoch milliseconds)'), v.minValue(0, 'must not be negative'),
  v.maxValue(MAX_DATE_MS, `must be at most ${MAX_DATE_MS} (the last JS date)`));

const utm = v.partial(
  v.object(Object.fromEntries(UTM_KEYS.map((k) => [k, shortText(LIMITS.propValueMaxLength)])) as Record<
    (typeof UTM_KEYS)[number],
    ReturnType<typeof shortText>
  >),
);

const propValue = v.union(
  [
    v.pipe(v.string(), v.maxLength(LIMITS.propValueMaxLength, `must be at most ${LIMITS.propValueMaxLength} characters`)),
    v.pipe(v.number(), v.finite()),
    v.boolean(),
  ],
  'must be a string, a finite number or a boolean',
);

const props = v.pipe(
  v.record(shortText(LIMITS.propKeyMaxLength), propValue, 'must be a flat object'),
  v.maxEntries(LIMITS.propsMaxKeys, `must have at most ${LIMITS.propsMaxKeys} keys`),
);

const base = {
  id: clientId,
  ts: epochMs,
  url: httpUrl,
  vid: v.optional(clientId),
  ref: v.optional(v.union([v.literal(''), httpUrl], 'must be an absolute http(s) URL')),
  utm: v.optional(utm),
  props: v.optional(props),
};

const kindSchema = <K extends string, E extends v.ObjectEntries>(kind: K, extra: E) =>
  v.object({ kind: v.literal(kind), ...base, ...extra });

export const wireEvent = v.variant(
  'kind',
  [
    kindSchema('pageview', {}),
    kindSchema('pricing_view', {}),
    kindSchema('download', { target: shortText(LIMITS.urlMaxLength) }),
    kindSchema('outbound', { target: httpUrl }),
    kindSchema('engagement', {
      ms: v.pipe(v.number('must be a number'), v.safeInteger('must be an integer'), v.minValue(0, 'must not be negative'),
        v.maxValue(LIMITS.engagedMsMax, `must be at most ${LIMITS.engagedMsMax}`)),
    }),
    kindSchema('form_view', { magnet: shortText(LIMITS.magnetIdMaxLength) }),
    kindSchema('form_submit', { magnet: shortText(LIMITS.magnetIdMaxLength) }),
    kindSchema('custom', { name: shortText(LIMITS.nameMaxLength) }),
  ],
  'must be one of pageview, pricing_view, download, outbound, engagement, form_view, form_submit, custom',
);

/** Just enough to find the site before the (larger) event validation runs. */
export const batchEnvelope = envelopeBody({ site: siteId });

export const collectBatch = objectBody({
    site: siteId,
    events: v.pipe(
      v.array(wireEvent, 'must be an array'),
      v.minLength(1, 'must hold at least one event'),
      v.maxLength(LIMITS.batchEvents, `must hold at most ${LIMITS.batchEvents} events`),
    ),
});

export type ValidEvent = v.InferOutput<typeof wireEvent>;
