/**
 * The scoring model as the form edits it. The draft has the model's own
 * shape (so the API's JSON pointers name the draft's fields directly), but
 * every number and list is kept as typed: a value that is not a number is
 * sent as it is, and the API answers with its own message for it.
 */

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

export interface StoredModel {
  version: number;
  builtIn: boolean;
  model: Obj;
  savedAt: number | string | null;
}

export const SIZES = ['1-9', '10-49', '50-249', '250-999', '1000+'] as const;
export const SIZE_MIN = ['1', '10', '50', '250', '1000'];
export const SIZE_MAX = ['9', '49', '249', '999'];
export const EVENT_KINDS = ['pageview', 'pricing_view', 'download', 'outbound', 'engagement', 'form_view', 'form_submit', 'custom', 'optin_confirmed', 'optin_withdrawn', 'magnet_download', 'mail_click'];
export const BANT: Record<string, string[]> = {
  budget: ['unknown', 'none', 'planned', 'approved'],
  authority: ['unknown', 'user', 'influencer', 'decision_maker'],
  need: ['unknown', 'none', 'nice_to_have', 'must_have'],
  timeline: ['unknown', 'now', 'quarter', 'year', 'later'],
};
export const FIT_FIELDS = ['companySize', 'industry', 'role', 'company', 'country', 'emailType', 'emailDomain', 'budget', 'authority', 'need', 'timeline'];

/** The list of a fit rule's field: what it matches on (companySize and emailType have none). */
export function fitListKey(field: string): string | null {
  if (field === 'industry' || field === 'role' || field === 'company') return 'keywords';
  if (field === 'country') return 'countries';
  if (field === 'emailDomain') return 'domains';
  if (field in BANT) return 'values';
  return null;
}
export const ENGAGEMENT_LISTS = ['kinds', 'paths', 'magnets', 'names'] as const;

/** Numbers where a form field holds them (everything else stays as it is). */
const NUMBER_KEYS = new Set(['points', 'capPerDay', 'capTotal', 'min', 'max', 'mql', 'sql', 'sqlMinFit', 'mqlMinEngagement', 'sqlMinEngagement', 'warm', 'hot', 'halfLifeDays', 'stageCooldownDays']);
const LIST_KEYS = new Set(['keywords', 'countries', 'domains', 'values', 'kinds', 'paths', 'magnets', 'names']);
/** Optional fields: an empty input leaves them out. */
const OPTIONAL = new Set(['capPerDay', 'capTotal', 'min', 'max', 'sqlMinFit', 'mqlMinEngagement', 'sqlMinEngagement', 'label', 'paths', 'magnets', 'names', 'kinds']);

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A model from the API as the form's draft: numbers and lists as text. */
export function toDraft(model: Obj): Obj {
  const walk = (x: Json, key = ''): Json => {
    if (Array.isArray(x)) return LIST_KEYS.has(key) ? x.join(', ') : x.map((y) => walk(y));
    if (isObj(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v, k)]));
    if (typeof x === 'number' && NUMBER_KEYS.has(key)) return String(x);
    return x;
  };
  const draft = walk(model) as Obj;
  delete draft.version;
  return draft;
}

/** A typed number: "1.5", "1,5", "-300" or "3 000" read as numbers; anything else is sent as typed (the API names it). */
export function readNumber(s: string): Json {
  const t = s.trim().replace(/[\s\u202f\u00a0]/g, '');
  const n = t.replace(/^(-?\d+),(\d+)$/, '$1.$2');
  return /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(n) ? Number(n) : s;
}

/** The draft as the model the API takes. */
export function toModel(draft: Obj): Obj {
  const walk = (x: Json, key = ''): Json | undefined => {
    if (typeof x === 'string' && LIST_KEYS.has(key)) {
      const items = x.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
      return items.length || !OPTIONAL.has(key) ? items : undefined;
    }
    if (typeof x === 'string' && NUMBER_KEYS.has(key)) return x.trim() === '' ? (OPTIONAL.has(key) ? undefined : '') : readNumber(x);
    if (typeof x === 'string' && key === 'label' && x.trim() === '') return undefined;
    if (Array.isArray(x)) return x.map((y) => walk(y) ?? null);
    if (isObj(x)) {
      const out: Obj = {};
      for (const [k, v] of Object.entries(x)) {
        const w = walk(v, k);
        if (w !== undefined) out[k] = w;
      }
      return out;
    }
    return x;
  };
  return walk(draft) as Obj;
}

/** The value at a JSON pointer's path (for reading), or undefined. */
export function at(x: Json | undefined, path: (string | number)[]): Json | undefined {
  let cur = x;
  for (const k of path) {
    if (Array.isArray(cur)) cur = cur[Number(k)];
    else if (isObj(cur)) cur = cur[String(k)];
    else return undefined;
  }
  return cur;
}

/** A copy of the draft with the value at `path` set (immutable, so the form re-renders). */
export function setAt(x: Json, path: (string | number)[], value: Json | undefined): Json {
  if (!path.length) return value as Json;
  const [k, ...rest] = path;
  if (Array.isArray(x)) {
    const copy = [...x];
    copy[Number(k)] = setAt(copy[Number(k)] ?? null, rest, value);
    return copy;
  }
  const copy: Obj = { ...(isObj(x) ? x : {}) };
  const next = setAt(copy[String(k)] ?? null, rest, value);
  if (rest.length === 0 && value === undefined) delete copy[String(k)];
  else copy[String(k)] = next;
  return copy;
}

/** A field's id from its JSON pointer: /fit/2/points → sc-fit-2-points. */
export const fieldId = (pointer: string) => `sc${pointer.replace(/[^A-Za-z0-9]+/g, '-')}`;

export interface FieldError {
  path: string;
  message: string;
}

/**
 * Which field shows an error: the pointer itself when the form has that
 * field, else its parent (a list item's error goes to the list's field,
 * a rule's own error to the rule). `known` holds the pointers the form shows.
 */
export function errorsByField(errors: FieldError[], known: Set<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of errors) {
    let p = e.path;
    while (p && !known.has(p)) p = p.slice(0, p.lastIndexOf('/'));
    out.set(p, [...(out.get(p) ?? []), e.message]);
  }
  return out;
}

/** The pointers of every field the form shows for a draft. */
export function knownPointers(draft: Obj): Set<string> {
  const s = new Set<string>(['/halfLifeDays', '/thresholds', '/temperature', '/fit', '/engagement']);
  for (const k of ['mql', 'sql', 'sqlMinFit', 'mqlMinEngagement', 'sqlMinEngagement']) s.add(`/thresholds/${k}`);
  for (const k of ['basis', 'warm', 'hot']) s.add(`/temperature/${k}`);
  (at(draft, ['fit']) as Obj[] | undefined ?? []).forEach((r, i) => {
    for (const k of ['', '/id', '/label', '/field', '/points', '/min', '/max', '/is', '/keywords', '/countries', '/domains', '/values']) s.add(`/fit/${i}${k}`);
    void r;
  });
  (at(draft, ['engagement']) as Obj[] | undefined ?? []).forEach((_, i) => {
    for (const k of ['', '/id', '/label', '/points', '/capPerDay', '/capTotal', '/kinds', '/paths', '/magnets', '/names']) s.add(`/engagement/${i}${k}`);
  });
  return s;
}

/** A new rule's id, not yet used in the draft. */
export function newId(draft: Obj, prefix: string): string {
  const used = new Set([...(at(draft, ['fit']) as Obj[] ?? []), ...(at(draft, ['engagement']) as Obj[] ?? [])].map((r) => r.id));
  for (let i = 1; ; i++) if (!used.has(`${prefix}-${i}`)) return `${prefix}-${i}`;
}
