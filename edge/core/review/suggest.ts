import { SIZE_BUCKETS, parseModel, qualifiedStage, temperatureOf, type EngagementRule, type FitRule, type ScoringModel } from '../scoring';
import { BANT } from '../sales/qualification';
import { behaviourRule, matchedFitRules } from './facts';
import { requireOutcomes, withOutcomes, type FactRow, type OutcomeRow } from './report';
import { chiSquare1Tail, fitLogistic, rocAuc, sigmoid } from './stats';

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
 * suggestion on the newest quarter. Features join by forward selection
 * with score tests (forwardSelection): with no signal in the data nothing
 * enters, instead of fitting noise. The verdict is `change` only when the
 * suggestion ranks the newest quarter better than the current model.
 */

export const SUGGEST_MINIMUM = { outcomes: 80, won: 20, notWon: 20 } as const;
/** The newest share of outcomes held out for validation. */
export const HOLDOUT_SHARE = 0.25;
export const POINTS_PER_DOUBLING = 1000;
const K = POINTS_PER_DOUBLING / Math.LN2;
const LAMBDAS = [0.3, 1, 3, 10, 30];
const MAX_RULES = 20;
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

/**
 * Forward selection by score tests: start from the base rate; at each step
 * add the feature whose score (Rao) test against the current fit is
 * strongest, while its p-value is below 0.05 divided by the number of
 * features still out (Bonferroni: with no signal, nothing enters with 95 %
 * probability). A feature that says what the selected ones say already has
 * no score left, so twins and combinations never enter together. At most
 * MAX_RULES per group. Returns, per feature, the statistic it entered with,
 * or for those left out the one against the final selection.
 */
function forwardSelection(x: number[][], y: boolean[], groups: readonly ('fit' | 'engagement')[]) {
  const n = x.length;
  const p = groups.length;
  const selected: number[] = [];
  const chi2 = new Array<number>(p).fill(0);
  const pv = new Array<number>(p).fill(1);
  const inGroup = { fit: 0, engagement: 0 };
  for (;;) {
    const f = fitLogistic(x.map((row) => selected.map((j) => row[j]!)), y, 1e-3);
    const prob = x.map((row) => sigmoid(f.intercept + selected.reduce((s, j, k) => s + f.weights[k]! * row[j]!, 0)));
    // Information of the selected columns with the intercept: I_SS = X_S' W X_S.
    const cols = [(_: number) => 1, ...selected.map((j) => (r: number) => x[r]![j]!)];
    const m = cols.length;
    const iss = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (let r = 0; r < n; r++) {
      const w = prob[r]! * (1 - prob[r]!);
      for (let a = 0; a < m; a++) for (let b = a; b < m; b++) iss[a]![b]! += w * cols[a]!(r) * cols[b]!(r);
    }
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) iss[a]![b] = iss[b]![a]!;
    let best = -1;
    const remaining = groups.map((g, j) => j).filter((j) => !selected.includes(j) && inGroup[groups[j]!] < MAX_RULES);
    for (const j of remaining) {
      let u = 0, ijj = 0;
      const isj = new Array<number>(m).fill(0);
      for (let r = 0; r < n; r++) {
        const v = x[r]![j]!;
        if (v === 0) continue;
        const w = prob[r]! * (1 - prob[r]!);
        u += v * ((y[r] ? 1 : 0) - prob[r]!);
        ijj += w * v * v;
        for (let a = 0; a < m; a++) isj[a]! += w * v * cols[a]!(r);
      }
      const solved = solve(iss, isj);
      const variance = ijj - (solved ? solved.reduce((s, z, a) => s + z * isj[a]!, 0) : ijj);
      const stat = variance > 1e-9 * Math.max(1, ijj) ? (u * u) / variance : 0;
      if (!selected.includes(j)) {
        chi2[j] = stat;
        pv[j] = chiSquare1Tail(stat);
      }
      if (best < 0 || stat > chi2[best]!) best = j;
    }
    if (best < 0 || !(pv[best]! < 0.05 / remaining.length)) break;
    selected.push(best);
    inGroup[groups[best]!]++;
  }
  return { selected, chi2, p: pv };
}

/** x with A·x = b for a small symmetric positive definite A (Gaussian elimination with pivoting); null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const m = b.length;
  const aug = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(aug[r]![c]!) > Math.abs(aug[piv]![c]!)) piv = r;
    if (Math.abs(aug[piv]![c]!) < 1e-12) return null;
    [aug[c], aug[piv]] = [aug[piv]!, aug[c]!];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = aug[r]![c]! / aug[c]![c]!;
      if (f !== 0) for (let k = c; k <= m; k++) aug[r]![k]! -= f * aug[c]![k]!;
    }
  }
  return aug.map((row, i) => row[m]! / row[i]!);
}

const formatP = (p: number) => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toPrecision(2)}`);

const roundPoints = (p: number) => Math.max(-100_000, Math.min(100_000, Math.abs(p) < 100 ? Math.round(p) : Math.round(p / 10) * 10));

/**
 * The threshold among the values that `share` of them reach, as near as the
 * values allow: learned scores take few distinct values, and a quantile
 * could land on the lowest one, which every lead reaches. Ties go up.
 */
const thresholdFor = (xs: readonly number[], share: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  let best = sorted.at(-1) ?? 0;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    const gap = Math.abs((sorted.length - i) / sorted.length - share);
    if (gap <= bestGap) {
      bestGap = gap;
      best = sorted[i]!;
    }
  }
  return best;
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
  const steps = forwardSelection(x, y, candidates.map((c) => c.group));
  const selected = steps.selected.map((i) => ({ c: candidates[i]!, i }));
  const xs = train.map((_, r) => selected.map((s) => x[r]![s.i]!));
  const lambda = selected.length ? chooseLambda(xs, y) : LAMBDAS[0]!;
  /** How a feature fared: its score test when it entered, or (left out) against the final selection. */
  const test = (i: number) => `χ² = ${steps.chi2[i]!.toFixed(1)}, ${formatP(steps.p[i]!)}`;
  // The final weights: refitted on the selected features only, so dropped ones do not bend the rest.
  const final = fitLogistic(xs, y, lambda);
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
          why: `no measurable relation to wins once the selected rules are in: ${winRate(i)}; ${test(i)}` });
        continue;
      }
      keep(withPoints(rule, after), group);
      changes.push({ id: rule.id, group, action: after === rule.points ? 'kept' : 'changed', before: rule.points, after,
        why: `${winRate(i)}; ${test(i)}` });
    }
  }
  for (const s of selected) {
    if (s.c.current) continue;
    const after = pointsOf.get(s.c.key)!;
    if (after === 0) continue;
    const rule = withPoints({ ...s.c.rule, points: 1 } as FitRule | EngagementRule, after);
    keep(rule, s.c.group);
    changes.push({ id: rule.id, group: s.c.group, action: 'added', before: null, after, why: `${winRate(s.i)}; ${test(s.i)}` });
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
        ? { ...c, action: 'kept' as const, after: c.before, why: `kept: ${c.why.replace(/^no measurable relation to wins once the selected rules are in: /, 'no rule of these outcomes relates measurably to wins, none is changed: ')}` }
        : c)),
      thresholds: ['No change: no feature passes the score test (p below 0.05 divided by the features tested) in these outcomes, so the current model stays as it is.'],
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
  /**
   * The threshold that as many outcomes reach as with the current model (when none or all did, a fixed share), picked
   * among the learned values and never the lowest one, which every lead reaches. Without any spread in the learned
   * values (no behaviour rule learned, say) the current threshold stays.
   */
  const matched = (values: number[], now: number, fallback: number, what: string, keep: number) => {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    if (distinct.length < 2) {
      notes.push(`${what} stays at ${keep}: every outcome has the same learned ${what === 'MQL' || what === 'SQL' ? 'score' : basis}, so there is nothing to place it by.`);
      return keep;
    }
    const used = now > 0 && now < 1 ? now : fallback;
    let t = thresholdFor(values, used);
    if (t === distinct[0]) t = distinct[1]!;
    // Rounded down to tens, so the leads at the chosen value still reach it, unless that would let every lead reach it.
    const rounded = Math.floor(t / 10) * 10;
    const threshold = rounded > distinct[0]! ? rounded : t;
    const reached = values.filter((v) => v >= threshold).length / values.length;
    notes.push(`${what}: reached by ${Math.round(reached * 100)} % of these outcomes, against ${Math.round(now * 100)} % with the current model`
      + (used !== now ? ` (${now === 0 ? 'none' : 'all'} of them, so the suggestion aims at ${Math.round(fallback * 100)} %).` : '.'));
    return threshold;
  };
  const scores = scored.map((s) => s.score);
  const mql = matched(scores, stageShare('mql'), 0.5, 'MQL', current.thresholds.mql);
  const sql = Math.max(mql, matched(scores, stageShare('sql'), 0.2, 'SQL', current.thresholds.sql));
  const warm = matched(tValues, tShare('warm'), 0.5, 'Warm', current.temperature.warm);
  const hot = Math.max(warm, matched(tValues, tShare('hot'), 0.2, 'Hot', current.temperature.hot));
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
  // Learned on the older outcomes, judged on the newest: a suggestion that ranks them no better is not one to apply.
  const better = (suggestedAuc?.auc ?? 0) > (currentAuc?.auc ?? 0);
  const verdictNotes: string[] = [];
  if (!better) {
    verdictNotes.push(`Keep the current model: on the newest quarter it ranks buyers at least as well (AUC ${currentAuc?.auc.toFixed(3)} against ${suggestedAuc?.auc.toFixed(3)} for this suggestion). The suggestion is shown for reading, not for applying.`);
  }
  return {
    ...base,
    verdict: better ? 'change' as const : 'keep' as const,
    model,
    holdout: { outcomes: holdout.length, won: won(holdout), from: iso(holdout[0]!.refAt), to: iso(holdout.at(-1)!.refAt), current: currentAuc, suggested: suggestedAuc },
    changes,
    thresholds: [...verdictNotes, `MQL from ${mql}, SQL from ${sql}, warm from ${warm}, hot from ${hot} points.`, ...notes],
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

const pct = (k: number, n: number) => (n ? `${Math.round((100 * k) / n)} %` : '–');
