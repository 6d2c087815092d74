import * as v from 'valibot';
import { API_KEY_SCOPES } from '../sites';
import { siteId } from '../../core/schemas/events';
import { intParam, MAX_DATE_MS } from '../../core/schemas/instant';
import { objectBody } from '../../core/schemas/object';

/** Validators for the admin API. */

const isOrigin = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s;
  } catch {
    return false;
  }
};

export const origin = v.pipe(
  v.string('must be a string'),
  v.maxLength(255, 'must be at most 255 characters'),
  v.check(isOrigin, 'must be an origin such as https://www.example.com (scheme, host and optional port; no path or trailing slash)'),
);

const name = v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(100, 'must be at most 100 characters'));

export const createSiteBody = objectBody(
  {
    id: siteId,
    name: v.optional(name),
    origins: v.optional(v.pipe(v.array(origin, 'must be an array'), v.maxLength(50, 'must hold at most 50 origins')), []),
  },
);

export const originBody = objectBody({ origin });

export const createKeyBody = objectBody(
  {
    name: name,
    scopes: v.optional(
      v.pipe(
        v.array(v.picklist(API_KEY_SCOPES, `must be one of ${API_KEY_SCOPES.join(', ')}`), 'must be an array'),
        v.minLength(1, 'must name at least one scope'),
      ),
      ['leads:read'],
    ),
  },
);

export const eventsQuery = v.object({
  limit: v.optional(intParam(1, 500), '50'),
  since: v.optional(intParam(0, MAX_DATE_MS), '0'),
});

/** POST /admin/mail/retry: the dead mails to send again; none given means all. */
export const mailRetryBody = objectBody({
  ids: v.optional(v.pipe(
    v.array(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(100, 'must be at most 100 characters')), 'must be an array'),
    v.maxLength(500, 'must hold at most 500 ids'),
  )),
});
