import { COMPANY_SIZES } from '../../../protocol';
import { decayed, evaluateFit, replayEngagement, scoreFromScratch, type LeadProfile, type ScoringEvent, type ScoringModel } from '../scoring';
import { compile, sizeRange } from '../scoring/compile';
import { emailDomain, normalisePath, normaliseWords } from '../scoring/match';

/**
 * What the review and the suggestion know of one lead with a sales outcome,
 * computed once per lead and model version (the cron stores it), so that
 * reading a report never replays events.
 *
 * Everything is taken at the lead's hand-off moment (`refAt`): behaviour
 * after it is what sales did with the lead, not what predicted the outcome,
 * and counting it would flatter every rule that fires on a sales visit.
 */

/** How often one kind of behaviour counts at most in a learned rule (so 200 page views are not 200 signals). */
export const BEHAVIOUR_CAP = 10;
/** Page groups kept per lead (its most visited first path segments). */
const PAGE_GROUPS_MAX = 20;

export interface Attributes {
  industry: string | null;
  country: string | null;
  size: string | null;
  role: string | null;
  emailType: 'freemail' | 'business' | null;
  magnet: string | null;
  /** First path segments visited before the hand-off, e.g. `/preise`. */
  pages: string[];
}

export interface OutcomeFacts {
  /** The profile as fit rules read it; the address is reduced to its domain. */
  profile: LeadProfile;
  attrs: Attributes;
  /** Ids of the current model's fit rules that matched. */
  fitRules: string[];
  /** The current model's engagement rules with what each contributed at the hand-off. */
  engagementRules: Record<string, number>;
  /**
   * Behaviour at the hand-off as a learned rule would count it: per event
   * kind (`kind:pricing_view`), page group (`page:/preise`) and magnet
   * (`magnet:guide`), the decayed number of matching events, each counted
   * at most BEHAVIOUR_CAP times (a magnet once). A rule of p points on the
   * same match scores exactly p times this value.
   */
  behaviour: Record<string, number>;
}

export interface FactsInput {
  model: ScoringModel;
  profile: LeadProfile;
  /** The lead's scored events (any order); those after `refAt` are ignored. */
  events: readonly ScoringEvent[];
  refAt: number;
  /** The magnet of the lead's first sign-up. */
  magnet: string | null;
}

export interface ComputedFacts {
  score: number;
  fit: number;
  engagement: number;
  facts: OutcomeFacts;
}

/** The bucket of a stored company size (a plain count falls into its bucket). */
export function sizeBucket(size: string | null | undefined): string | null {
  const range = sizeRange(size);
  if (!range) return null;
  return COMPANY_SIZES.find((b) => {
    const r = sizeRange(b)!;
    return range[0] >= r[0] && range[1] <= r[1];
  }) ?? null;
}

/** The first segment of a path (`/preise/team` → `/preise`); null for the home page. */
export function pageGroup(path: string): string | null {
  const p = normalisePath(path.split(/[?#]/)[0] ?? '');
  const m = /^\/[^/]+/.exec(p);
  return m ? m[0] : null;
}

/** The rule a behaviour key stands for, counting one point per match: what facts count and a suggestion emits. */
export function behaviourRule(key: string) {
  const [type, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  if (type === 'kind') return { kinds: [value] as ScoringModel['engagement'][number]['kinds'], capTotal: BEHAVIOUR_CAP };
  if (type === 'page') return { kinds: ['pageview'] as ScoringModel['engagement'][number]['kinds'], paths: [`${value}/**`], capTotal: BEHAVIOUR_CAP };
  if (type === 'magnet') return { kinds: ['magnet_download'] as ScoringModel['engagement'][number]['kinds'], magnets: [value], capTotal: 1 };
  throw new RangeError(`unknown behaviour key ${key}`);
}

export function computeFacts(input: FactsInput): ComputedFacts {
  const { model, refAt } = input;
  const events = input.events.filter((e) => e.ts <= refAt);
  const now = scoreFromScratch(model, input.profile, events, refAt);
  const domain = emailDomain(input.profile.email);
  const profile: LeadProfile = { ...input.profile, email: domain ? `lead@${domain}` : null };

  const groups = new Map<string, number>();
  const kinds = new Set<string>();
  const magnets = new Set<string>();
  for (const e of events) {
    kinds.add(e.kind);
    if (e.kind === 'pageview') {
      const g = pageGroup(e.path ?? '');
      if (g) groups.set(g, (groups.get(g) ?? 0) + 1);
    }
    if (e.kind === 'magnet_download' && e.magnet) magnets.add(e.magnet.trim().toLowerCase());
  }
  const pages = [...groups].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, PAGE_GROUPS_MAX).map(([g]) => g);
  const keys = [...[...kinds].map((k) => `kind:${k}`), ...pages.map((g) => `page:${g}`), ...[...magnets].map((m) => `magnet:${m}`)];
  const probe = {
    ...model,
    fit: [],
    engagement: keys.map((id) => ({ id, points: 1, ...behaviourRule(id) })),
  } as ScoringModel;
  const state = replayEngagement(probe, events);
  const behaviour: Record<string, number> = {};
  for (const id of keys) {
    const s = state.rules[id];
    if (s && s.norm !== 0) behaviour[id] = round(decayed(s.norm, refAt, model.halfLifeDays));
  }

  const engagementRules: Record<string, number> = {};
  for (const [id, s] of Object.entries(now.state.rules)) {
    if (s.norm !== 0) engagementRules[id] = round(decayed(s.norm, refAt, model.halfLifeDays));
  }
  const freeMail = compile(model).freeMail;
  const words = (s: string | null | undefined) => (s ? normaliseWords(s) || null : null);
  return {
    score: now.score,
    fit: now.fit.fit,
    engagement: now.engagement,
    facts: {
      profile,
      attrs: {
        industry: words(input.profile.industry),
        country: input.profile.country?.trim().toUpperCase() || null,
        size: sizeBucket(input.profile.companySize),
        role: words(input.profile.role),
        emailType: domain === null ? null : freeMail.has(domain) ? 'freemail' : 'business',
        magnet: input.magnet?.trim().toLowerCase() || null,
        pages,
      },
      fitRules: now.fit.rules.filter((r) => r.matched).map((r) => r.id),
      engagementRules,
      behaviour,
    },
  };
}

/** Six significant digits: enough for statistics, small in JSON. */
const round = (x: number) => Number(x.toPrecision(6));

/** The fit rules of `model` that match a stored profile (the review and the suggestion re-evaluate drafts with it). */
export function matchedFitRules(model: ScoringModel, profile: LeadProfile): Set<string> {
  return new Set(evaluateFit(model, profile).rules.filter((r) => r.matched).map((r) => r.id));
}

export type Outcome = 'won' | 'not_won' | 'open';

/**
 * A lead's outcome for the review. Won and lost are what sales wrote back;
 * a rejected lead did not buy either. A lead handed off longer ago than
 * `openDays` without a win counts as not won (B2B cycles are long, but a
 * lead open for half a year has, for the score's purpose, not bought);
 * younger open leads are left out, not counted as losses.
 */
export function outcomeOf(salesStatus: string, refAt: number, now: number, openDays: number): Outcome {
  if (salesStatus === 'won') return 'won';
  if (salesStatus === 'lost' || salesStatus === 'rejected') return 'not_won';
  return refAt < now - openDays * 86_400_000 ? 'not_won' : 'open';
}
