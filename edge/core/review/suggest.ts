import { cumulativeStdNormalProbability } from 'simple-statistics';
import { SIZE_BUCKETS, parseModel, qualifiedStage, temperatureOf, type EngagementRule, type FitRule, type ScoringModel } from '../scoring';
import { BANT } from '../sales/qualification';
import { behaviourRule, matchedFitRules } from './facts';
import { requireOutcomes, withOutcomes, type FactRow, type OutcomeRow } from './report';
import { benjaminiHochberg, fitLogistic, rocAuc } from './stats';

/**
 * The suggested model: an L2-regularised logistic regression of "won" on
 * the features a model can express (fit rules on profile values, engagement
 * rules on behaviour), turned back into a model of the existing schema so a
 * person can read, edit and preview it. It is never applied by itself.
 *
 * The scale: points = log-odds × 1000 / ln 2, so every 1,000 points double
 * the odds of a purchase. Fit rules are 0/1 features; an engagement rule's
 * feature is its decayed, capped count of events at the hand-off (facts.ts),
 * so the rule with p points per event scores p × feature, exactly what the
 * engine computes.
 *
 * Validation is by time, as the model will be used: fit on the older three
 * quarters of the outcomes, report the AUC of the current model and of the
 * suggestion on the newest quarter. A feature joins the suggestion only
 * when its weight is significant (Benjamini–Hochberg q < 0.05 over all
 * candidates): with no signal in the data the suggestion keeps nothing it
 * learned, instead of fitting noise.
 */

export const SUGGEST_MINIMUM = { outcomes: 80, won: 20, notWon: 20 } as const;
/** The newest share of outcomes held out for validation. */
export const HOLDOUT_SHARE = 0.25;
export const POINTS_PER_DOUBLING = 1000;
const K = POINTS_PER_DOUBLING / Math.LN2;
const LAMBDAS = [0.3, 1, 3, 10, 30];
const MAX_RULES = 20;
const Q_MAX = 0.05;
/** Candidate values per attribute (the most frequent). */
const VALUES_PER_ATTRIBUTE = 12;

interface Candidate {
  key: string;
  group: 'fit' | 'engagement';
  /** A rule of the current model (id kept) or a new one. */
  current: FitRule | EngagementRule | null;
  /** The rule without points, as it would enter the model. */
  rule: Omit<FitRule, 'points'> | Omit<EngagementRule, 'points'>;
  /** The feature of one row. */
  x: (r: OutcomeRow, fitMatches: Set<string>) => number;
  support: number;
  /** A learned engagement rule's behaviour key (facts.ts). */
  behaviourKey?: string;
}

const slug = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'x';
const isBant = (r: FitRule) => (Object.keys(BANT) as string[]).includes(r.field);

function fitCandidates(current: ScoringModel, rows: readonly OutcomeRow[], minSupport: number): FitRule[] {
  const out: FitRule[] = [];
  const ids = new Set([...current.fit, ...current.engagement].map((r) => r.id));
  const add = (rule: FitRule) => {
    if (ids.has(rule.id)) return;
    ids.add(rule.id);
    out.push(rule);
  };
  const top = (pick: (r: OutcomeRow) => string | null) => {
    const counts = new Map<string, number>();
    for (const r of rows) {
      const v = pick(r);
      if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return [...counts].filter(([, n]) => n >= minSupport).sort((a, b) => b[1] - a[1]).slice(0, VALUES_PER_ATTRIBUTE).map(([v]) => v);
  };
  const keyword = (v: string) => v.length <= 60 && /[\p{L}\p{N}]/u.test(v) && !v.includes('*');
  for (const v of top((r) => r.facts.attrs.industry).filter(keyword)) add({ id: `industry-${slug(v)}`, label: `Industry: ${v}`, field: 'industry', keywords: [v], points: 0 });
  for (const v of top((r) => r.facts.attrs.role).filter(keyword)) add({ id: `role-${slug(v)}`, label: `Role: ${v}`, field: 'role', keywords: [v], points: 0 });
  for (const v of top((r) => r.facts.attrs.country)) add({ id: `country-${slug(v)}`, label: `Country ${v}`, field: 'country', countries: [v], points: 0 });
  for (const v of top((r) => r.facts.attrs.size)) {
    const [lo, hi] = SIZE_BUCKETS.get(v)!;
    add({ id: `size-${slug(v)}`, label: `Company size ${v}`, field: 'companySize', min: lo, ...(Number.isFinite(hi) ? { max: hi } : {}), points: 0 });
  }
  for (const v of top((r) => r.facts.attrs.emailType)) add({ id: `email-${v}`, label: v === 'freemail' ? 'Free-mail address' : 'Business e-mail address', field: 'emailType', is: v as 'freemail' | 'business', points: 0 });
  return out;
}

function behaviourCandidates(current: ScoringModel, rows: readonly OutcomeRow[], minSupport: number): { key: string; rule: Omit<EngagementRule, 'points'> }[] {
  const counts = new Map<string, number>();
  for (const r of rows) for (const k of Object.keys(r.facts.behaviour)) counts.set(k, (counts.get(k) ?? 0) + 1);
  const ids = new Set([...current.fit, ...current.engagement].map((r) => r.id));
  return [...counts]
    .filter(([, n]) => n >= minSupport)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3 * VALUES_PER_ATTRIBUTE)
    .flatMap(([key]) => {
      const id = `learned-${slug(key)}`;
      if (ids.has(id)) return [];
      const [type, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      const label = type === 'kind' ? `Event: ${value}` : type === 'page' ? `Pages under ${value}` : `Magnet ${value} downloaded`;
      return [{ key, rule: { id, label, ...behaviourRule(key) } as Omit<EngagementRule, 'points'> }];
    });
}

function candidatesOf(current: ScoringModel, train: readonly OutcomeRow[]): { candidates: Candidate[]; probe: ScoringModel; unjudged: Map<string, string> } {
  const minSupport = Math.max(8, Math.ceil(0.02 * train.length));
  const newFit = fitCandidates(current, train, minSupport);
  // One model holding every fit rule, current and new, so each row's matches come from the engine itself.
  const probe = { ...current, fit: [...current.fit, ...newFit] } as ScoringModel;
  const matches = train.map((r) => matchedFitRules(probe, r.facts.profile));
  const unjudged = new Map<string, string>();
  const candidates: Candidate[] = [];
  const support = (x: (r: OutcomeRow, i: number) => number) => train.reduce((n, r, i) => n + (x(r, i) !== 0 ? 1 : 0), 0);

  for (const rule of [...current.fit, ...newFit]) {
    const isCurrent = current.fit.includes(rule);
    if (isCurrent && isBant(rule)) {
      unjudged.set(rule.id, 'kept: sales writes this field after the hand-off, so the outcomes cannot judge it fairly');
      continue;
    }
    const s = support((_, i) => (matches[i]!.has(rule.id) ? 1 : 0));
    if (s < minSupport || s > train.length - minSupport) {
      if (isCurrent) unjudged.set(rule.id, `kept: ${s} of ${train.length} training outcomes matched it, too few to judge`);
      continue;
    }
    const { points: _, ...bare } = rule;
    candidates.push({ key: rule.id, group: 'fit', current: isCurrent ? rule : null, rule: bare, x: (_r, m) => (m.has(rule.id) ? 1 : 0), support: s });
  }
  for (const rule of current.engagement) {
    const x = (r: OutcomeRow) => (r.facts.engagementRules[rule.id] ?? 0) / rule.points;
    const s = support(x);
    if (s < minSupport) {
      unjudged.set(rule.id, `kept: ${s} of ${train.length} training outcomes had a matching event, too few to judge`);
      continue;
    }
    const { points: _, ...bare } = rule;
    candidates.push({ key: rule.id, group: 'engagement', current: rule, rule: bare, x, support: s });
  }
  for (const { key, rule } of behaviourCandidates(current, train, minSupport)) {
    const x = (r: OutcomeRow) => r.facts.behaviour[key] ?? 0;
    candidates.push({ key: rule.id, group: 'engagement', current: null, rule, x, support: support(x), behaviourKey: key });
  }
  // Features that say the same as others (pricing-view and every pricing page; business and free-mail address; five
  // industries of which every lead has one) would split one effect and blur all: taken strongest first, a feature that
  // is a combination of those before it (and the constant) is left out.
  const y = train.map((r): number => (r.won ? 1 : 0));
  const ybar = y.reduce((a, b) => a + b, 0) / Math.max(1, y.length);
  const cols = candidates.map((c) => train.map((r, i) => c.x(r, matches[i]!)));
  const strength = cols.map((col) => {
    const m = col.reduce((a, b) => a + b, 0) / col.length;
    let sxy = 0, sxx = 0;
    col.forEach((v, i) => { sxy += (v - m) * (y[i]! - ybar); sxx += (v - m) ** 2; });
    return sxx > 0 ? Math.abs(sxy) / Math.sqrt(ybar * (1 - ybar) * sxx) : 0;
  });
  const basis: number[][] = [train.map(() => 1 / Math.sqrt(Math.max(1, train.length)))];
  const kept = new Set<number>();
  // Equal strength (to rounding): the current model's rule goes first and keeps its id.
  const rank = (i: number) => Number(strength[i]!.toPrecision(5));
  for (const i of candidates.map((_, i) => i).sort((a, b) => rank(b) - rank(a) || Number(!!candidates[b]!.current) - Number(!!candidates[a]!.current))) {
    const r = [...cols[i]!];
    let centred = 0;
    basis.forEach((q, j) => {
      const d = r.reduce((s, v, k) => s + v * q[k]!, 0);
      for (let k = 0; k < r.length; k++) r[k]! -= d * q[k]!;
      if (j === 0) centred = Math.sqrt(r.reduce((s, v) => s + v * v, 0));
    });
    const norm = Math.sqrt(r.reduce((s, v) => s + v * v, 0));
    // Less than a tenth of its own variation left (R² > 0.99 on the others): the same signal, its weight would be noise.
    if (centred === 0 || norm / centred < 0.1) {
      if (candidates[i]!.current) unjudged.set(candidates[i]!.key, 'merged: it says nothing the stronger rules of this suggestion do not (the same leads, or a combination of them)');
      continue;
    }
    basis.push(r.map((v) => v / norm));
    kept.add(i);
  }
  const distinct = candidates.filter((_, i) => kept.has(i));
  return { candidates: distinct, probe, unjudged };
}

const matrix = (rows: readonly OutcomeRow[], cs: readonly Candidate[], probe: ScoringModel) =>
  rows.map((r) => {
    const m = matchedFitRules(probe, r.facts.profile);
    return cs.map((c) => c.x(r, m));
  });

const aucOf = (scores: number[], labels: boolean[]) => rocAuc(scores, labels)?.auc ?? 0.5;
const linear = (x: readonly number[], w: readonly number[]) => x.reduce((s, v, i) => s + v * w[i]!, 0);

/** λ by a second time split inside the training data: the one whose fit ranks the newest training quarter best. */
function chooseLambda(x: number[][], y: boolean[]): number {
  const cut = Math.floor(x.length * (1 - HOLDOUT_SHARE));
  let best = LAMBDAS[LAMBDAS.length - 1]!;
  let bestAuc = -1;
  for (const lambda of [...LAMBDAS].reverse()) {
    const f = fitLogistic(x.slice(0, cut), y.slice(0, cut), lambda);
    const auc = aucOf(x.slice(cut).map((r) => linear(r, f.weights)), y.slice(cut));
    if (auc > bestAuc + 1e-9) {
      bestAuc = auc;
      best = lambda;
    }
  }
  return best;
}

const roundPoints = (p: number) => Math.max(-100_000, Math.min(100_000, Math.abs(p) < 100 ? Math.round(p) : Math.round(p / 10) * 10));

/** The value of `xs` above which `share` of them lie. */
const quantileAbove = (xs: readonly number[], share: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(s.length * (1 - share))))] ?? 0;
};

export interface RuleChange {
  id: string;
  group: 'fit' | 'engagement';
  action: 'added' | 'changed' | 'kept' | 'dropped';
  before: number | null;
  after: number | null;
  why: string;
}

export interface SuggestOptions {
  now: number;
  openDays: number;
}

export function suggestModel(current: ScoringModel, rows: readonly FactRow[], opts: SuggestOptions) {
  const { outcomes } = withOutcomes(rows, opts.now, opts.openDays);
  requireOutcomes(outcomes, SUGGEST_MINIMUM, 'a suggestion');
  const cut = Math.floor(outcomes.length * (1 - HOLDOUT_SHARE));
  const train = outcomes.slice(0, cut);
  const holdout = outcomes.slice(cut);
  requireOutcomes(holdout, { outcomes: 10, won: 5, notWon: 5 }, 'a suggestion on the newest quarter');

  const { candidates, probe, unjudged } = candidatesOf(current, train);
  const y = train.map((r) => r.won);
  const x = matrix(train, candidates, probe);
  const lambda = candidates.length ? chooseLambda(x, y) : LAMBDAS[0]!;
  // Which features matter: Wald tests of a nearly unpenalised fit (exact repeats are already out), so that shrinkage
  // does not hide an effect; the chosen λ shapes the final points only.
  const full = fitLogistic(x, y, 1e-3);
  const p = full.weights.map((w, i) => {
    const se = full.standardErrors[i]!;
    return Number.isFinite(se) && se > 0 ? 2 * (1 - cumulativeStdNormalProbability(Math.abs(w / se))) : 1;
  });
  const q = benjaminiHochberg(p);
  const z = full.weights.map((w, i) => w / full.standardErrors[i]!);
  const chosen = candidates
    .map((c, i) => ({ c, i }))
    .filter(({ i }) => q[i]! < Q_MAX)
    .sort((a, b) => Math.abs(z[b.i]!) - Math.abs(z[a.i]!));
  const selected = [...chosen.filter((s) => s.c.group === 'fit').slice(0, MAX_RULES), ...chosen.filter((s) => s.c.group === 'engagement').slice(0, MAX_RULES)];
  // The final weights: refitted on the selected features only, so dropped ones do not bend the rest.
  const final = fitLogistic(train.map((_, r) => selected.map((s) => x[r]![s.i]!)), y, lambda);
  const pointsOf = new Map(selected.map((s, j) => [s.c.key, roundPoints(final.weights[j]! * K)]));

  const winRate = (i: number) => {
    let n1 = 0, w1 = 0;
    train.forEach((r, row) => { if (x[row]![i] !== 0) { n1++; if (r.won) w1++; } });
    const n0 = train.length - n1;
    const w0 = y.filter(Boolean).length - w1;
    return `won ${w1} of ${n1} with it (${pct(w1, n1)}) against ${w0} of ${n0} without (${pct(w0, n0)})`;
  };

  const fit: FitRule[] = [];
  const engagement: EngagementRule[] = [];
  const changes: RuleChange[] = [];
  const indexOf = new Map(candidates.map((c, i) => [c.key, i]));
  const keep = (rule: FitRule | EngagementRule, group: 'fit' | 'engagement') => (group === 'fit' ? fit.push(rule as FitRule) : engagement.push(rule as EngagementRule));
  for (const [group, rules] of [['fit', current.fit], ['engagement', current.engagement]] as const) {
    for (const rule of rules) {
      const i = indexOf.get(rule.id);
      const why = unjudged.get(rule.id);
      if (why?.startsWith('merged')) {
        changes.push({ id: rule.id, group, action: 'dropped', before: rule.points, after: null, why });
        continue;
      }
      if (why !== undefined || i === undefined) {
        keep(rule, group);
        changes.push({ id: rule.id, group, action: 'kept', before: rule.points, after: rule.points, why: why ?? 'kept' });
        continue;
      }
      const after = pointsOf.get(rule.id);
      if (after === undefined || after === 0) {
        changes.push({ id: rule.id, group, action: 'dropped', before: rule.points, after: null,
          why: `no measurable relation to wins: ${winRate(i)}; z = ${z[i]!.toFixed(1)}, q = ${q[i]!.toFixed(2)}` });
        continue;
      }
      keep(withPoints(rule, after), group);
      changes.push({ id: rule.id, group, action: after === rule.points ? 'kept' : 'changed', before: rule.points, after,
        why: `${winRate(i)}; z = ${z[i]!.toFixed(1)}` });
    }
  }
  for (const s of selected) {
    if (s.c.current) continue;
    const after = pointsOf.get(s.c.key)!;
    if (after === 0) continue;
    const rule = withPoints({ ...s.c.rule, points: 1 } as FitRule | EngagementRule, after);
    keep(rule, s.c.group);
    changes.push({ id: rule.id, group: s.c.group, action: 'added', before: null, after, why: `${winRate(s.i)}; z = ${z[s.i]!.toFixed(1)}` });
  }

  const learnedKeys = new Map(candidates.filter((c) => c.current === null && c.group === 'engagement').map((c) => [c.key, c.behaviourKey!]));
  const won = (rs: readonly OutcomeRow[]) => rs.filter((r) => r.won).length;
  const iso = (t: number) => new Date(t).toISOString();
  const holdoutLabels = holdout.map((r) => r.won);
  const currentAuc = rocAuc(holdout.map((r) => r.score), holdoutLabels);
  const base = {
    scale: { pointsPerDoubling: POINTS_PER_DOUBLING, meaning: `Every ${POINTS_PER_DOUBLING.toLocaleString('en-US')} points double the odds of a purchase.` },
    training: { outcomes: train.length, won: won(train), from: iso(train[0]!.refAt), to: iso(train.at(-1)!.refAt), candidates: candidates.length, lambda },
  };

  // Nothing passed the test: the data cannot tell the rules apart. The current model stays as it is (a model of only the
  // rules too rare to judge would score everyone alike, and its thresholds would make every lead an SQL).
  if (selected.length === 0) {
    return {
      ...base,
      verdict: 'keep' as const,
      model: current,
      holdout: { outcomes: holdout.length, won: won(holdout), from: iso(holdout[0]!.refAt), to: iso(holdout.at(-1)!.refAt), current: currentAuc, suggested: currentAuc },
      changes: changes.map((c) => (c.action === 'dropped'
        ? { ...c, action: 'kept' as const, after: c.before, why: `kept: ${c.why.replace(/^no measurable relation to wins: /, 'no rule of these outcomes relates measurably to wins, none is changed: ')}` }
        : c)),
      thresholds: ['No change: no feature relates to wins significantly (q < 0.05) in these outcomes, so the current model stays as it is.'],
    };
  }

  const draft = { ...current, name: `Suggested from ${outcomes.length} outcomes`, fit, engagement } as ScoringModel;
  // Thresholds and temperature: the same share of outcomes reaches MQL, SQL, warm and hot as with the current model.
  const scored = outcomes.map(factScorer(current, draft, learnedKeys));
  const share = (pred: (r: OutcomeRow) => boolean) => outcomes.filter(pred).length / outcomes.length;
  const stageShare = (stage: 'mql' | 'sql') => share((r) => {
    const s = qualifiedStage(current, 'confirmed', r.fit, r.engagement);
    return s === 'sql' || (stage === 'mql' && s === 'mql');
  });
  const basis = current.temperature.basis;
  const tValues = scored.map((s) => (basis === 'score' ? s.score : s.engagement));
  const tShare = (t: 'warm' | 'hot') => share((r) => {
    const now = temperatureOf(current, r.score, r.engagement);
    return now === 'hot' || (t === 'warm' && now === 'warm');
  });
  const notes: string[] = [];
  /** The value above which the current model's share lies; when none or all of the outcomes reach it, a fixed share instead. */
  const matched = (values: number[], now: number, fallback: number, what: string) => {
    const used = now > 0 && now < 1 ? now : fallback;
    if (used !== now) notes.push(`${what}: ${now === 0 ? 'no' : 'every'} outcome reaches it with the current model, so the suggestion puts it where ${Math.round(fallback * 100)} % do.`);
    else notes.push(`${what}: reached by ${Math.round(now * 100)} % of these outcomes, as with the current model.`);
    return round10(quantileAbove(values, used));
  };
  const scores = scored.map((s) => s.score);
  const mql = matched(scores, stageShare('mql'), 0.5, 'MQL');
  const sql = Math.max(mql, matched(scores, stageShare('sql'), 0.2, 'SQL'));
  const warm = matched(tValues, tShare('warm'), 0.5, 'Warm');
  const hot = Math.max(warm, matched(tValues, tShare('hot'), 0.2, 'Hot'));
  if (current.thresholds.sqlMinFit !== undefined || current.thresholds.mqlMinEngagement !== undefined || current.thresholds.sqlMinEngagement !== undefined) {
    notes.unshift('The minimum fit and engagement floors are left out: on the learned scale the outcomes weigh behaviour and fit against each other.');
  }
  const model = parseModel({
    ...draft,
    thresholds: { mql, sql },
    temperature: { basis, warm, hot },
  });

  const score = factScorer(current, model, learnedKeys);
  const suggestedAuc = rocAuc(holdout.map((r) => score(r).score), holdoutLabels);
  return {
    ...base,
    verdict: 'change' as const,
    model,
    holdout: { outcomes: holdout.length, won: won(holdout), from: iso(holdout[0]!.refAt), to: iso(holdout.at(-1)!.refAt), current: currentAuc, suggested: suggestedAuc },
    changes,
    thresholds: [`MQL from ${mql}, SQL from ${sql}, warm from ${warm}, hot from ${hot} points.`, ...notes],
  };
}

/**
 * Scores outcome rows under a model built from the current model's rules and
 * learned ones, from the stored features alone: a current engagement rule's
 * stored contribution divided by its current points is its event count, a
 * learned rule's is its behaviour count (`learnedKeys`: rule id → key).
 */
export function factScorer(reference: ScoringModel, model: ScoringModel, learnedKeys: ReadonlyMap<string, string>) {
  const original = new Map(reference.engagement.map((r) => [r.id, r.points]));
  return (r: FactRow): { score: number; engagement: number } => {
    const fitMatches = matchedFitRules(model, r.facts.profile);
    const fit = model.fit.reduce((s, rule) => s + (fitMatches.has(rule.id) ? rule.points : 0), 0);
    let engagement = 0;
    for (const rule of model.engagement) {
      const key = learnedKeys.get(rule.id);
      const before = original.get(rule.id);
      const x = key !== undefined ? r.facts.behaviour[key] ?? 0 : before ? (r.facts.engagementRules[rule.id] ?? 0) / before : 0;
      engagement += rule.points * x;
    }
    return { score: fit + engagement, engagement };
  };
}

/** The rule with new points; caps scale with the points, so the rule still counts the same number of events. */
function withPoints<R extends FitRule | EngagementRule>(rule: R, points: number): R {
  if (!('kinds' in rule) && !('paths' in rule) && !('magnets' in rule) && !('names' in rule)) return { ...rule, points };
  const e = rule as EngagementRule;
  const per = Math.abs(e.points) || 1;
  const scale = (cap: number | undefined) => (cap === undefined ? undefined : Math.max(1, Math.round((cap / per) * Math.abs(points))));
  const out: EngagementRule = { ...e, points };
  const day = scale(e.capPerDay);
  const total = scale(e.capTotal);
  if (day === undefined) delete out.capPerDay; else out.capPerDay = day;
  if (total === undefined) delete out.capTotal; else out.capTotal = total;
  return out as R;
}

const round10 = (n: number) => Math.round(n / 10) * 10;
const pct = (k: number, n: number) => (n ? `${Math.round((100 * k) / n)} %` : '–');
