import { Refused } from '../errors';
import type { ScoringModel } from '../scoring';
import { outcomeOf, type Attributes, type OutcomeFacts } from './facts';
import { benjaminiHochberg, fisherExact, liftInterval, plattScale, quantileBands, rocAuc, sigmoid, calibrationError, wilson } from './stats';

/**
 * The scoring review: did the leads the model ranked high really buy, and
 * what do the exceptions share? Pure: it reads the stored facts of the
 * leads with an outcome (facts.ts) and returns numbers that each carry
 * their count and a 95 % interval, because B2B samples are small.
 */

/** Below this, the review answers "cannot judge yet" instead of numbers. */
export const REVIEW_MINIMUM = { outcomes: 30, won: 10, notWon: 10 } as const;
/** Share of the outcomes (by score at hand-off) that counts as high scorers. */
export const HIGH_SHARE = 0.3;
/** An attribute value is tested only when this many leads of both groups together have it. */
const MIN_VALUE_COUNT = 5;
/** A finding is significant when its false-discovery-adjusted q is below this. */
export const SIGNIFICANCE = 0.05;

export interface FactRow {
  leadId: string;
  refAt: number;
  salesStatus: string;
  score: number;
  fit: number;
  engagement: number;
  facts: OutcomeFacts;
}

export interface OutcomeRow extends FactRow {
  won: boolean;
}

export interface Rate {
  leads: number;
  won: number;
  winRate: number | null;
  ci: [number, number];
}

const rate = (won: number, leads: number): Rate => ({ leads, won, winRate: leads ? won / leads : null, ci: wilson(won, leads) });

/** The rows with an outcome (won or not won), oldest hand-off first; open ones are counted apart. */
export function withOutcomes(rows: readonly FactRow[], now: number, openDays: number): { outcomes: OutcomeRow[]; open: number } {
  const outcomes: OutcomeRow[] = [];
  let open = 0;
  for (const r of rows) {
    const o = outcomeOf(r.salesStatus, r.refAt, now, openDays);
    if (o === 'open') open++;
    else outcomes.push({ ...r, won: o === 'won' });
  }
  outcomes.sort((a, b) => a.refAt - b.refAt || (a.leadId < b.leadId ? -1 : 1));
  return { outcomes, open };
}

/** Throws the 422 refusal when there are too few outcomes, naming what is there and what is needed. */
export function requireOutcomes(outcomes: readonly OutcomeRow[], minimum: { outcomes: number; won: number; notWon: number }, what: string): void {
  const won = outcomes.filter((o) => o.won).length;
  const have = { outcomes: outcomes.length, won, notWon: outcomes.length - won };
  if (have.outcomes >= minimum.outcomes && have.won >= minimum.won && have.notWon >= minimum.notWon) return;
  throw new Refused(
    'not_enough_data',
    `Too few sales outcomes to judge ${what} yet: ${have.outcomes} (${have.won} won, ${have.notWon} not won); at least ${minimum.outcomes} with ${minimum.won} won and ${minimum.notWon} not won are needed.`,
    { have, needed: { ...minimum } },
  );
}

type AttributeName = keyof Attributes;
const ATTRIBUTES: readonly AttributeName[] = ['industry', 'country', 'size', 'role', 'emailType', 'magnet', 'pages'];

const valuesOf = (a: Attributes, name: AttributeName): string[] => {
  const v = a[name];
  return Array.isArray(v) ? v : v === null ? [] : [v];
};

export interface Finding {
  attribute: AttributeName;
  value: string;
  /** The group the review looks at (e.g. high scorers who did not buy) and how many of them have the value. */
  group: { leads: number; count: number; share: number };
  /** The group it is compared with (high scorers who bought). */
  compared: { leads: number; count: number; share: number };
  /** group share / compared share (Infinity printed as null when the compared group has none). */
  ratio: number | null;
  /** Fisher's exact test, two-sided, and its Benjamini–Hochberg q over every value tested in this comparison. */
  p: number;
  q: number;
  significant: boolean;
}

/** Which attribute values are more common in `group` than in `compared`, each with counts and a significance measure. */
export function overRepresented(group: readonly OutcomeRow[], compared: readonly OutcomeRow[], limit = 12): Finding[] {
  const tested: Omit<Finding, 'q' | 'significant'>[] = [];
  for (const attribute of ATTRIBUTES) {
    const counts = new Map<string, [number, number]>();
    for (const [i, rows] of [group, compared].entries()) {
      for (const r of rows) {
        for (const v of new Set(valuesOf(r.facts.attrs, attribute))) {
          const c = counts.get(v) ?? [0, 0];
          c[i]!++;
          counts.set(v, c);
        }
      }
    }
    for (const [value, [a, c]] of counts) {
      if (a + c < MIN_VALUE_COUNT) continue;
      const p = fisherExact(a, group.length - a, c, compared.length - c);
      const gs = group.length ? a / group.length : 0;
      const cs = compared.length ? c / compared.length : 0;
      tested.push({ attribute, value, group: { leads: group.length, count: a, share: gs }, compared: { leads: compared.length, count: c, share: cs }, ratio: cs ? gs / cs : null, p });
    }
  }
  const q = benjaminiHochberg(tested.map((t) => t.p));
  return tested
    .map((t, i) => ({ ...t, q: q[i]!, significant: q[i]! < SIGNIFICANCE }))
    .filter((t) => t.group.share > t.compared.share)
    .sort((x, y) => x.p - y.p || y.group.count - x.group.count)
    .slice(0, limit);
}

const segment = (rows: readonly OutcomeRow[], key: (r: OutcomeRow) => string | null, limit = 20) => {
  const groups = new Map<string, [number, number]>();
  for (const r of rows) {
    const k = key(r) ?? '(unknown)';
    const g = groups.get(k) ?? [0, 0];
    g[0]++;
    if (r.won) g[1]++;
    groups.set(k, g);
  }
  const sorted = [...groups].sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1));
  // A value of fewer than MIN_VALUE_COUNT leads says nothing and could point at a person: it goes into "(other)".
  const shown = sorted.slice(0, limit).filter(([, g]) => g[0] >= MIN_VALUE_COUNT);
  const rest = sorted.filter((e) => !shown.includes(e)).reduce<[number, number]>((s, [, g]) => [s[0] + g[0], s[1] + g[1]], [0, 0]);
  return [
    ...shown.map(([value, [leads, won]]) => ({ value, ...rate(won, leads) })),
    ...(rest[0] ? [{ value: '(other)', ...rate(rest[1], rest[0]) }] : []),
  ];
};

/** Whether a rule of the model counted for a lead at its hand-off. */
const ruleCounted = (r: OutcomeRow, id: string) => r.facts.fitRules.includes(id) || (r.facts.engagementRules[id] ?? 0) !== 0;

export interface ReviewOptions {
  now: number;
  openDays: number;
  from: number;
  to: number;
}

/** The whole review over the rows whose hand-off lies in [from, to). */
export function buildReview(model: ScoringModel, rows: readonly FactRow[], opts: ReviewOptions) {
  const inPeriod = rows.filter((r) => r.refAt >= opts.from && r.refAt < opts.to);
  const { outcomes, open } = withOutcomes(inPeriod, opts.now, opts.openDays);
  requireOutcomes(outcomes, REVIEW_MINIMUM, 'the scoring');
  const won = outcomes.filter((o) => o.won).length;
  const scores = outcomes.map((o) => o.score);
  const labels = outcomes.map((o) => o.won);
  const overall = rate(won, outcomes.length);

  // The win probability the score implies: a logistic curve through the outcomes (Platt scaling).
  const platt = plattScale(scores, labels);
  const implied = scores.map((s) => sigmoid(platt.a + platt.b * s));
  const bands = quantileBands(scores, 10).map((b, i) => {
    const w = b.members.filter((m) => labels[m]).length;
    return {
      band: i + 1,
      scoreFrom: b.min,
      scoreTo: b.max,
      ...rate(w, b.members.length),
      implied: b.members.reduce((s, m) => s + implied[m]!, 0) / b.members.length,
    };
  });
  const top = bands.at(-1)!;
  const cal = calibrationError(implied, labels, Math.min(10, bands.length))!;

  // High scorers: the top 30 % by score at hand-off (ties go with the higher group).
  const sorted = [...scores].sort((a, b) => a - b);
  const highFrom = sorted[Math.floor(sorted.length * (1 - HIGH_SHARE))]!;
  const high = outcomes.filter((o) => o.score >= highFrom);
  const low = outcomes.filter((o) => o.score < highFrom);

  const rules = [...model.fit.map((r) => ({ r, group: 'fit' as const })), ...model.engagement.map((r) => ({ r, group: 'engagement' as const }))].map(({ r, group }) => {
    const withRule = outcomes.filter((o) => ruleCounted(o, r.id));
    const wWith = withRule.filter((o) => o.won).length;
    const withoutN = outcomes.length - withRule.length;
    const wWithout = won - wWith;
    return {
      id: r.id,
      label: r.label ?? null,
      group,
      points: r.points,
      matched: withRule.length,
      with: rate(wWith, withRule.length),
      without: rate(wWithout, withoutN),
      lift: withRule.length && won ? wWith / withRule.length / (won / outcomes.length) : null,
      liftCi: liftInterval(wWith, withRule.length, won, outcomes.length),
      p: fisherExact(wWith, withRule.length - wWith, wWithout, withoutN - wWithout),
    };
  });

  return {
    from: new Date(opts.from).toISOString(),
    to: new Date(opts.to).toISOString(),
    modelVersion: model.version,
    openDays: opts.openDays,
    outcomes: { ...overall, notWon: outcomes.length - won, open },
    bands,
    discrimination: {
      auc: rocAuc(scores, labels),
      topBand: { ...top, lift: overall.winRate ? (top.winRate ?? 0) / overall.winRate : null, liftCi: liftInterval(top.won, top.leads, won, outcomes.length) },
    },
    calibration: { method: 'platt', a: platt.a, b: platt.b, ...cal, maxGap: Math.max(...bands.map((b) => Math.abs((b.winRate ?? 0) - b.implied))) },
    highScorers: {
      scoreFrom: highFrom,
      ...rate(high.filter((o) => o.won).length, high.length),
      notWonShare: overRepresented(high.filter((o) => !o.won), high.filter((o) => o.won)),
    },
    lowScorers: {
      scoreBelow: highFrom,
      ...rate(low.filter((o) => o.won).length, low.length),
      wonShare: overRepresented(low.filter((o) => o.won), low.filter((o) => !o.won)),
    },
    rules,
    segments: {
      country: segment(outcomes, (o) => o.facts.attrs.country),
      industry: segment(outcomes, (o) => o.facts.attrs.industry),
      size: segment(outcomes, (o) => o.facts.attrs.size),
    },
  };
}

export type ScoringReview = ReturnType<typeof buildReview>;
