import { FREE_MAIL_DOMAINS } from './freemail';
import {
  compileKeyword,
  compilePathPattern,
  normalisePath,
  pathMatches,
  type Glob,
  type PathMatcher,
} from './match';
import { SIZE_BUCKETS, type EngagementRule, type FitRule, type ScoringModel } from './model';

/**
 * A model turned into matchers, once per model object.
 *
 * Why: the ingest path evaluates every engagement rule for every event; it
 * must not re-parse globs or rebuild sets each time. Models are immutable
 * (see model.ts), so a WeakMap keyed by the model object is a safe cache and
 * lets old versions be collected.
 */

export interface CompiledFitRule {
  readonly rule: FitRule;
  /** companySize: the employee range, inclusive; the defaults are open. */
  readonly min: number;
  readonly max: number;
  readonly keywords: readonly Glob[];
  readonly values: ReadonlySet<string>;
}

export interface CompiledEngagementRule {
  readonly rule: EngagementRule;
  readonly id: string;
  readonly points: number;
  /** Infinity when the rule has no such cap. */
  readonly capPerDay: number;
  readonly capTotal: number;
  readonly kinds: ReadonlySet<string> | null;
  readonly paths: readonly PathMatcher[] | null;
  readonly magnets: ReadonlySet<string> | null;
  readonly names: ReadonlySet<string> | null;
}

export interface CompiledModel {
  readonly model: ScoringModel;
  readonly fit: readonly CompiledFitRule[];
  readonly engagement: readonly CompiledEngagementRule[];
  readonly freeMail: ReadonlySet<string>;
}

/** Custom event names and magnet ids compare like this: trimmed, case-insensitive. */
export const normaliseName = (s: string) => s.trim().toLowerCase();

const cache = new WeakMap<ScoringModel, CompiledModel>();

export function compile(model: ScoringModel): CompiledModel {
  let c = cache.get(model);
  if (!c) {
    c = {
      model,
      fit: model.fit.map(compileFitRule),
      engagement: model.engagement.map(compileEngagementRule),
      freeMail: new Set([...FREE_MAIL_DOMAINS, ...(model.freeMailDomains ?? [])]),
    };
    cache.set(model, c);
  }
  return c;
}

function compileFitRule(rule: FitRule): CompiledFitRule {
  const none = { rule, min: 0, max: Number.POSITIVE_INFINITY, keywords: [], values: new Set<string>() };
  switch (rule.field) {
    case 'companySize':
      return { ...none, min: rule.min ?? 0, max: rule.max ?? Number.POSITIVE_INFINITY };
    case 'industry':
    case 'role':
    case 'company':
      return { ...none, keywords: rule.keywords.map(compileKeyword) };
    case 'country':
      return { ...none, values: new Set(rule.countries.map((c) => c.toUpperCase())) };
    case 'emailDomain':
      return { ...none, values: new Set(rule.domains) };
    case 'emailType':
      return none;
    case 'budget':
    case 'authority':
    case 'need':
    case 'timeline':
      return { ...none, values: new Set<string>(rule.values) };
  }
}

function compileEngagementRule(rule: EngagementRule): CompiledEngagementRule {
  return {
    rule,
    id: rule.id,
    points: rule.points,
    capPerDay: rule.capPerDay ?? Number.POSITIVE_INFINITY,
    capTotal: rule.capTotal ?? Number.POSITIVE_INFINITY,
    kinds: rule.kinds ? new Set(rule.kinds) : null,
    paths: rule.paths ? rule.paths.map(compilePathPattern) : null,
    magnets: rule.magnets ? new Set(rule.magnets.map(normaliseName)) : null,
    names: rule.names ? new Set(rule.names.map(normaliseName)) : null,
  };
}

/**
 * The employee range of a stored company size: a bucket ("50-249"), or a
 * plain number ("120", e.g. from a CRM import). Null when unknown.
 */
export function sizeRange(size: string | null | undefined): readonly [number, number] | null {
  if (!size) return null;
  const s = size.replace(/\s+/g, '');
  const bucket = SIZE_BUCKETS.get(s);
  if (bucket) return bucket;
  if (/^\d{1,9}$/.test(s)) return [Number(s), Number(s)];
  return null;
}

/** An event as rules see it: prepared once per event, then matched against each rule. */
export interface PreparedEvent {
  readonly kind: string;
  readonly path: string | null;
  readonly magnet: string | null;
  readonly name: string | null;
}

export function prepareEvent(e: { kind: string; path?: string | null; magnet?: string | null; name?: string | null }): PreparedEvent {
  return {
    kind: e.kind,
    path: e.path == null ? null : normalisePath(e.path),
    magnet: e.magnet == null ? null : normaliseName(e.magnet),
    name: e.name == null ? null : normaliseName(e.name),
  };
}

/**
 * Whether an event matches a rule: every criterion the rule sets must hold
 * (kinds AND paths AND magnets AND names); within one criterion, any listed
 * value will do. An event without a path never matches a rule with paths.
 */
export function ruleMatches(r: CompiledEngagementRule, e: PreparedEvent): boolean {
  if (r.kinds && !r.kinds.has(e.kind)) return false;
  if (r.magnets && (e.magnet === null || !r.magnets.has(e.magnet))) return false;
  if (r.names && (e.name === null || !r.names.has(e.name))) return false;
  if (r.paths) {
    const path = e.path;
    if (path === null || !r.paths.some((m) => pathMatches(m, path))) return false;
  }
  return true;
}
