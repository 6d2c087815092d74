import * as v from 'valibot';
import { DEFAULT_EVENT_TYPES, MESSAGE_STATUSES, WEBHOOK_EVENT_TYPES, type MessageStatus } from './store';
import { checkTargetUrl, type TargetPolicy } from '../../core/webhooks/url';
import { hasNoControl } from '../../core/lead-text';
import { intParam } from '../../core/schemas/instant';
import { objectBody } from '../../core/schemas/object';
import { segmentIdParam } from '../segments';

/** Validators of the webhook API (routes.ts). */

export const ENDPOINT_ID = /^whe_[A-Za-z0-9_-]{16}$/;
export const MESSAGE_ID = /^msg_[0-9a-f]{24}$/;

const targetUrl = (policy: TargetPolicy) =>
  v.pipe(
    v.string('must be a string'),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const why = checkTargetUrl(dataset.value, policy);
      if (why) addIssue({ message: why });
    }),
  );

const events = v.pipe(
  v.array(v.picklist(WEBHOOK_EVENT_TYPES, `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`), 'must be an array of event types'),
  v.minLength(1, 'must name at least one event type'),
  v.transform((list) => [...new Set(list)]),
);

const description = v.pipe(
  v.string('must be a string'),
  v.maxLength(200, 'must be at most 200 characters'),
  v.check(hasNoControl, 'must not contain line breaks or other control characters'),
);

export const createEndpointBody = (policy: TargetPolicy) =>
  objectBody({
    url: targetUrl(policy),
    events: v.optional(events, () => [...DEFAULT_EVENT_TYPES]),
    description: v.optional(description),
    enabled: v.optional(v.boolean('must be true or false'), true),
    segment: v.optional(segmentIdParam),
  });

export const updateEndpointBody = (policy: TargetPolicy) =>
  v.pipe(
    objectBody({
      url: v.optional(targetUrl(policy)),
      events: v.optional(events),
      description: v.optional(v.nullable(description)),
      enabled: v.optional(v.boolean('must be true or false')),
      segment: v.optional(v.nullable(segmentIdParam)),
    }),
    v.check((b) => Object.values(b).some((x) => x !== undefined), 'must change at least one of url, events, description, enabled, segment'),
  );


export const deliveriesQuery = v.object({
  status: v.optional(v.picklist(MESSAGE_STATUSES as MessageStatus[], `must be one of ${MESSAGE_STATUSES.join(', ')}`)),
  endpoint: v.optional(v.pipe(v.string(), v.regex(ENDPOINT_ID, 'must be an endpoint id (whe_…)'))),
  lead: v.optional(v.pipe(v.string(), v.maxLength(64, 'must be a lead id'))),
  limit: v.optional(intParam(1, 200), '50'),
  cursor: v.optional(intParam(1, Number.MAX_SAFE_INTEGER)),
});
