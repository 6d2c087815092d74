import { compile, sizeRange, type CompiledFitRule } from './compile';
import { domainInList, emailDomain, keywordMatches, normaliseWords } from './match';
import type { FitRule, ScoringModel } from './model';

/**
 * Fit: points for who the lead is (explicit data from forms and the edge).
 *
 * Every matching rule adds its points once; rules are independent, so a
 * competitor with a business address gets both +200 and −5,000. Text is
 * compared case- and whitespace-insensitively (see match.ts); the e-mail
 * domain is taken after the last "@". Unknown fields match nothing: a lead
 * that did not say its size gets no size points (and no penalty).
 */

/** The profile fields scoring reads. All optional: forms ask for different fields. */
export interface LeadProfile {
  email?: string | null;
  company?: string | null;
  role?: string | null;
  /** A bucket from COMPANY_SIZES ('1-9' … '1000+'), or a plain employee count. */
  companySize?: string | null;
  industry?: string | null;
  /** ISO 3166-1 alpha-2, e.g. from request.cf.country. */
  country?: string | null;
  /** Sales qualification written back (core/sales/qualification.ts). */
  budget?: string | null;
  authority?: string | null;
  need?: string | null;
  timeline?: string | null;
}

export interface FitLine {
  id: string;
  label?: string | undefined;
  field: FitRule['field'];
  matched: boolean;
  /** The rule's points when matched, else 0. */
  points: number;
}

export interface FitResult {
  /** Sum of the matched rules' points. */
  fit: number;
  /** One line per fit rule, in model order. */
  rules: FitLine[];
}

/** Derived once per profile, then matched against each rule. */
interface PreparedProfile {
  domain: string | null;
  freeMail: boolean;
  size: readonly [number, number] | null;
  country: string | null;
  words: Record<'industry' | 'role' | 'company', string>;
  bant: Record<'budget' | 'authority' | 'need' | 'timeline', string | null>;
}

export function evaluateFit(model: ScoringModel, profile: LeadProfile): FitResult {
  const c = compile(model);
  const domain = emailDomain(profile.email);
  const p: PreparedProfile = {
    domain,
    freeMail: domain !== null && c.freeMail.has(domain),
    size: sizeRange(profile.companySize),
    country: profile.country?.trim().toUpperCase() || null,
    words: {
      industry: normaliseWords(profile.industry ?? ''),
      role: normaliseWords(profile.role ?? ''),
      company: normaliseWords(profile.company ?? ''),
    },
    bant: { budget: profile.budget ?? null, authority: profile.authority ?? null, need: profile.need ?? null, timeline: profile.timeline ?? null },
  };
  let fit = 0;
  const rules = c.fit.map((cr): FitLine => {
    const matched = fitRuleMatches(cr, p);
    if (matched) fit += cr.rule.points;
    return { id: cr.rule.id, label: cr.rule.label, field: cr.rule.field, matched, points: matched ? cr.rule.points : 0 };
  });
  return { fit, rules };
}

function fitRuleMatches(cr: CompiledFitRule, p: PreparedProfile): boolean {
  const rule = cr.rule;
  switch (rule.field) {
    case 'companySize':
      // The whole bucket must lie in the range: "50-249" is in 50..999.
      return p.size !== null && p.size[0] >= cr.min && p.size[1] <= cr.max;
    case 'industry':
    case 'role':
    case 'company': {
      const words = p.words[rule.field];
      return cr.keywords.some((k) => keywordMatches(k, words));
    }
    case 'country':
      return p.country !== null && cr.values.has(p.country);
    case 'emailType':
      return p.domain !== null && (rule.is === 'freemail' ? p.freeMail : !p.freeMail);
    case 'emailDomain':
      return p.domain !== null && domainInList(p.domain, cr.values);
    case 'budget':
    case 'authority':
    case 'need':
    case 'timeline': {
      const value = p.bant[rule.field];
      return value !== null && cr.values.has(value);
    }
  }
}
