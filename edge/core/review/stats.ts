import { gammaln } from 'simple-statistics';

/**
 * Small, deterministic statistics for reviewing how well lead scores work:
 * intervals for rates, discrimination (AUC), association tests on 2×2 tables,
 * multiple-testing correction, a regularised logistic regression, score
 * calibration and score bands.
 *
 * Everything is pure: inputs are read, never changed, and nothing global is
 * touched. Misuse (mismatched lengths, NaN, negative counts) throws a
 * RangeError, because it is a programming error, not user input.
 *
 * The 95 % normal quantile is the conventional constant 1.96 rather than
 * simple-statistics' `probit(0.975)`, whose inverse-erf approximation is off
 * by about 3e-3 (1.9572); the published reference values use 1.96.
 */

/** The normal quantile used for 95 % intervals. */
const Z95 = 1.96;

function assertSameLength(a: { length: number }, b: { length: number }, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

function assertNoNaN(values: readonly number[], what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new RangeError(`${what}[${i}] is NaN`);
  }
}

/** Indices 0..n−1 sorted by ascending value, ties by index (so the order is deterministic). */
function argsort(values: readonly number[]): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((i, j) => values[i]! - values[j]! || i - j);
  return idx;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Wilson score interval for k successes of n at 95 % (z = 1.96 by default). n = 0 → [0, 1].
 *
 * Why Wilson: unlike the normal (Wald) interval it stays inside [0, 1] and is
 * honest for small n and rates near 0 or 1, which is what conversion rates of
 * small lead segments look like.
 */
export function wilson(k: number, n: number, z: number = Z95): [number, number] {
  if (!(n >= 0) || !(k >= 0) || k > n) throw new RangeError(`wilson: need 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  if (!(z > 0) || !Number.isFinite(z)) throw new RangeError(`wilson: z must be a positive finite number, got ${z}`);
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The bounds are exactly 0 (k = 0) and 1 (k = n) in exact arithmetic.
  return [k === 0 ? 0 : clamp01(centre - half), k === n ? 1 : clamp01(centre + half)];
}

/**
 * Area under the ROC curve of `scores` for positives (labels true) against negatives, with ties counted half
 * (Mann–Whitney U / (n1·n0)). Returns null when either class is empty. Also the 95 % interval by
 * Hanley & McNeil (1982), clamped to [0,1].
 *
 * Why: the AUC is the probability that a random converted lead outscores a
 * random non-converted one, the plainest measure of whether a score ranks
 * leads usefully, independent of any threshold.
 */
export function rocAuc(
  scores: readonly number[],
  labels: readonly boolean[],
): { auc: number; ci: [number, number]; positives: number; negatives: number } | null {
  assertSameLength(scores, labels, 'rocAuc');
  assertNoNaN(scores, 'rocAuc: scores');
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i]) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;

  // Sum of the (mid-)ranks of the positives; tied scores share their average rank.
  const order = argsort(scores);
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const midRank = (start + 1 + end) / 2; // ranks start+1 .. end
    for (let r = start; r < end; r++) if (labels[order[r]!]) rankSum += midRank;
    start = end;
  }
  const u = rankSum - (positives * (positives + 1)) / 2;
  const auc = u / (positives * negatives);

  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  const se = Math.sqrt(Math.max(0, variance));
  return { auc, ci: [clamp01(auc - Z95 * se), clamp01(auc + Z95 * se)], positives, negatives };
}

function assertCount(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a non-negative integer, got ${v}`);
}

/** log(k!) through the log-gamma function. */
const logFactorial = (k: number) => gammaln(k + 1);

/**
 * Two-sided Fisher exact test p-value for the 2×2 table [[a, b], [c, d]] (sum of probabilities of all tables
 * with the same margins that are at most as likely as the observed, with a relative tolerance of 1e-7),
 * using log-gamma.
 *
 * Why exact: review segments are often small (a rule that fired for 12
 * leads), where the chi-squared approximation is unreliable. The
 * probabilities are normalised over all tables with the observed margins,
 * which also cancels the rounding of the log-gamma approximation.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  assertCount(a, 'fisherExact: a');
  assertCount(b, 'fisherExact: b');
  assertCount(c, 'fisherExact: c');
  assertCount(d, 'fisherExact: d');
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const lo = Math.max(0, col1 - row2);
  const hi = Math.min(row1, col1);
  if (lo === hi) return 1;

  // log P(X = x) up to a constant: X ~ hypergeometric, x is the top-left cell.
  const logWeight = (x: number) =>
    -(logFactorial(x) + logFactorial(row1 - x) + logFactorial(col1 - x) + logFactorial(row2 - col1 + x));
  const logs = new Float64Array(hi - lo + 1);
  let max = -Infinity;
  for (let x = lo; x <= hi; x++) {
    const l = logWeight(x);
    logs[x - lo] = l;
    if (l > max) max = l;
  }
  const observed = logs[a - lo]!;
  // "At most as likely" with relative tolerance: p_x ≤ p_obs · (1 + 1e-7).
  const threshold = observed + Math.log1p(1e-7);
  let total = 0;
  let tail = 0;
  for (let i = 0; i < logs.length; i++) {
    const w = Math.exp(logs[i]! - max);
    total += w;
    if (logs[i]! <= threshold) tail += w;
  }
  return Math.min(1, tail / total);
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), same order as the input, monotone, capped at 1.
 *
 * Why: a review tests many rules and segments at once; controlling the false
 * discovery rate keeps a few lucky segments from looking significant.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`benjaminiHochberg: p-value [${i}] must be in [0, 1], got ${p}`);
  }
  const order = argsort(pValues);
  const q = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r]!;
    running = Math.min(running, (pValues[i]! * m) / (r + 1));
    q[i] = running;
  }
  return q;
}

export interface LogisticFit {
  /** Intercept (not penalised). */
  intercept: number;
  /** One weight per feature column, on the ORIGINAL (unstandardised) scale of the features. */
  weights: number[];
  /** Approximate standard error of each weight (original scale), from the inverse of the penalised Hessian at the optimum. */
  standardErrors: number[];
  /** Newton iterations used; converged flag. */
  iterations: number;
  converged: boolean;
}

/** The logistic function 1 / (1 + e^-t), numerically safe for large |t|. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** log(1 + e^t) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/**
 * In-place Cholesky factorisation of the symmetric positive definite k×k
 * matrix `a` (row-major, only the lower triangle is read); returns false if a
 * pivot is not positive. On success the lower triangle holds L (A = L·Lᵀ).
 */
function cholesky(a: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    let s = a[j * k + j]!;
    for (let m = 0; m < j; m++) s -= a[j * k + m]! * a[j * k + m]!;
    if (!(s > 0) || !Number.isFinite(s)) return false;
    const ljj = Math.sqrt(s);
    a[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let t = a[i * k + j]!;
      for (let m = 0; m < j; m++) t -= a[i * k + m]! * a[j * k + m]!;
      a[i * k + j] = t / ljj;
    }
  }
  return true;
}

/** Solves L·Lᵀ·x = b for x, with L from `cholesky`. */
function choleskySolve(l: Float64Array, k: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < k; i++) {
    let s = x[i]!;
    for (let m = 0; m < i; m++) s -= l[i * k + m]! * x[m]!;
    x[i] = s / l[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let m = i + 1; m < k; m++) s -= l[m * k + i]! * x[m]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}

/** Diagonal of A⁻¹ from A's Cholesky factor L: (A⁻¹)_jj = Σ_i (L⁻¹)_ij². */
function inverseDiagonal(l: Float64Array, k: number): Float64Array {
  const diag = new Float64Array(k);
  const col = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    // Column j of L⁻¹ by forward substitution of e_j.
    col.fill(0);
    for (let i = j; i < k; i++) {
      let s = i === j ? 1 : 0;
      for (let m = j; m < i; m++) s -= l[i * k + m]! * col[m]!;
      col[i] = s / l[i * k + i]!;
    }
    let sum = 0;
    for (let i = j; i < k; i++) sum += col[i]! * col[i]!;
    diag[j] = sum;
  }
  return diag;
}

/**
 * Factorises a copy of `h`; if rounding makes it not positive definite (near
 * separation, collinear columns with lambda 0), adds a growing ridge to the
 * diagonal until it is.
 */
function robustCholesky(h: Float64Array, k: number): Float64Array {
  let scale = 0;
  for (let j = 0; j < k; j++) scale = Math.max(scale, Math.abs(h[j * k + j]!));
  if (!(scale > 0)) scale = 1;
  for (let jitter = 0, attempt = 0; attempt < 40; attempt++, jitter = jitter === 0 ? scale * 1e-12 : jitter * 10) {
    const l = Float64Array.from(h);
    for (let j = 0; j < k; j++) l[j * k + j] = l[j * k + j]! + jitter;
    if (cholesky(l, k)) return l;
  }
  throw new RangeError('fitLogistic: the Hessian is not positive definite');
}

/**
 * L2-regularised logistic regression fitted by Newton–Raphson (IRLS) with a Cholesky solve.
 * `x` is row-major: x[i] is the feature vector of observation i (all rows same length p, p may be 0).
 * Features are standardised internally (mean 0, sd 1 on the given rows; a constant column gets weight 0 and SE Infinity),
 * the penalty is (lambda / 2) · Σ w_std² on the standardised weights (the intercept is not penalised),
 * results are converted back to the original scale. Stop when the max |step| < 1e-8 or after 50 iterations; use step halving if the penalised log-likelihood does not improve.
 * Optional `weights` per observation are not needed.
 *
 * Why: it estimates how much each lead feature moves the odds of conversion,
 * with the others held fixed; the penalty keeps rare or separating features
 * finite, and standardising makes one lambda mean the same for every column.
 * The standard deviation is the population one (divided by n).
 */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly boolean[], lambda: number): LogisticFit {
  assertSameLength(x, y, 'fitLogistic');
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`fitLogistic: lambda must be a finite number ≥ 0, got ${lambda}`);
  const n = x.length;
  if (n === 0) throw new RangeError('fitLogistic: no observations');
  const p = x[0]!.length;
  for (let i = 0; i < n; i++) {
    const row = x[i]!;
    if (row.length !== p) throw new RangeError(`fitLogistic: row ${i} has ${row.length} features, row 0 has ${p}`);
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(row[j]!)) throw new RangeError(`fitLogistic: x[${i}][${j}] is not a finite number`);
    }
  }

  // Column means and population sds; constant columns drop out of the fit.
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] = mean[j]! + x[i]![j]!;
  for (let j = 0; j < p; j++) mean[j] = mean[j]! / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const dv = x[i]![j]! - mean[j]!;
      sd[j] = sd[j]! + dv * dv;
    }
  }
  const active: number[] = [];
  for (let j = 0; j < p; j++) {
    sd[j] = Math.sqrt(sd[j]! / n);
    if (sd[j]! > 1e-12 * Math.max(1, Math.abs(mean[j]!))) active.push(j);
  }
  const q = active.length;
  const k = q + 1; // parameter 0 is the intercept

  // Standardised design, row-major n×q.
  const z = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    const row = x[i]!;
    for (let c = 0; c < q; c++) {
      const j = active[c]!;
      z[i * q + c] = (row[j]! - mean[j]!) / sd[j]!;
    }
  }
  const yy = new Float64Array(n);
  for (let i = 0; i < n; i++) yy[i] = y[i] ? 1 : 0;

  const eta = new Float64Array(n);
  const linear = (beta: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = beta[0]!;
      const base = i * q;
      for (let c = 0; c < q; c++) s += z[base + c]! * beta[c + 1]!;
      out[i] = s;
    }
  };
  const objective = (beta: Float64Array, etaOut: Float64Array) => {
    linear(beta, etaOut);
    let ll = 0;
    for (let i = 0; i < n; i++) ll += yy[i]! * etaOut[i]! - softplus(etaOut[i]!);
    let pen = 0;
    for (let c = 1; c < k; c++) pen += beta[c]! * beta[c]!;
    return ll - (lambda / 2) * pen;
  };
  /** Gradient of the penalised log-likelihood and the negative Hessian (penalty included), at `eta`. */
  const derivatives = (beta: Float64Array) => {
    const g = new Float64Array(k);
    const h = new Float64Array(k * k);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i]!);
      const r = yy[i]! - mu;
      const w = mu * (1 - mu);
      const base = i * q;
      g[0] = g[0]! + r;
      h[0] = h[0]! + w;
      for (let a = 0; a < q; a++) {
        const za = z[base + a]!;
        const wza = w * za;
        g[a + 1] = g[a + 1]! + r * za;
        const rowA = (a + 1) * k;
        h[rowA] = h[rowA]! + wza; // (a+1, 0)
        for (let b = 0; b <= a; b++) h[rowA + b + 1] = h[rowA + b + 1]! + wza * z[base + b]!;
      }
    }
    for (let c = 1; c < k; c++) {
      g[c] = g[c]! - lambda * beta[c]!;
      h[c * k + c] = h[c * k + c]! + lambda;
    }
    // Mirror the lower triangle (the solvers read only the lower one, but keep H whole).
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) h[b * k + a] = h[a * k + b]!;
    return { g, h };
  };

  // Start at the logit of the base rate (clamped) with zero weights.
  let positives = 0;
  for (let i = 0; i < n; i++) positives += yy[i]!;
  const rate = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6);
  let beta = new Float64Array(k);
  beta[0] = Math.log(rate / (1 - rate));
  let current = objective(beta, eta);

  const MAX_ITERATIONS = 50;
  let iterations = 0;
  let converged = false;
  const trialEta = new Float64Array(n);
  while (iterations < MAX_ITERATIONS) {
    iterations++;
    const { g, h } = derivatives(beta);
    const step = choleskySolve(robustCholesky(h, k), k, g);
    let maxStep = 0;
    for (let c = 0; c < k; c++) maxStep = Math.max(maxStep, Math.abs(step[c]!));
    if (!Number.isFinite(maxStep)) break;

    let t = 1;
    let trial = new Float64Array(k);
    let value = -Infinity;
    for (let halvings = 0; halvings <= 30; halvings++, t /= 2) {
      trial = new Float64Array(k);
      for (let c = 0; c < k; c++) trial[c] = beta[c]! + t * step[c]!;
      value = objective(trial, trialEta);
      // Near the optimum the change is at rounding level; do not halve on noise.
      if (value >= current - 1e-12 * (1 + Math.abs(current))) break;
    }
    if (!(value >= current - 1e-12 * (1 + Math.abs(current)))) break; // no improving step: stuck
    beta = trial;
    current = value;
    eta.set(trialEta);
    if (maxStep < 1e-8) {
      converged = true;
      break;
    }
  }

  // Standard errors from the penalised Hessian at the final estimate.
  const { h } = derivatives(beta);
  const invDiag = inverseDiagonal(robustCholesky(h, k), k);

  const weights = new Array<number>(p).fill(0);
  const standardErrors = new Array<number>(p).fill(Infinity);
  let intercept = beta[0]!;
  for (let c = 0; c < q; c++) {
    const j = active[c]!;
    const w = beta[c + 1]! / sd[j]!;
    weights[j] = w;
    standardErrors[j] = Math.sqrt(invDiag[c + 1]!) / sd[j]!;
    intercept -= w * mean[j]!;
  }
  return { intercept, weights, standardErrors, iterations, converged };
}

/**
 * Platt scaling: a one-feature logistic fit of y on the score (tiny L2 lambda 1e-6 on the standardised slope
 * so separable data stays finite). p(score) = sigmoid(a + b·score).
 *
 * Why: lead scores are points, not probabilities; this maps them to a
 * conversion probability that can be checked for calibration.
 */
export function plattScale(scores: readonly number[], y: readonly boolean[]): { a: number; b: number } {
  assertSameLength(scores, y, 'plattScale');
  const fit = fitLogistic(
    scores.map((s) => [s]),
    y,
    1e-6,
  );
  return { a: fit.intercept, b: fit.weights[0] ?? 0 };
}

/**
 * Expected calibration error over `bins` equal-count bins of the predicted probabilities (sorted):
 * Σ (n_bin / n) · |mean(pred) − mean(y)|. Also the Brier score. n = 0 → null.
 *
 * Why: a probability is only useful if "30 %" means that about 30 % of such
 * leads convert; equal-count bins keep every bin's mean equally reliable.
 * With n < bins the empty bins are skipped.
 */
export function calibrationError(
  predicted: readonly number[],
  y: readonly boolean[],
  bins: number = 10,
): { ece: number; brier: number } | null {
  assertSameLength(predicted, y, 'calibrationError');
  assertNoNaN(predicted, 'calibrationError: predicted');
  if (!Number.isSafeInteger(bins) || bins < 1) throw new RangeError(`calibrationError: bins must be a positive integer, got ${bins}`);
  const n = predicted.length;
  if (n === 0) return null;

  let brier = 0;
  for (let i = 0; i < n; i++) {
    const e = predicted[i]! - (y[i] ? 1 : 0);
    brier += e * e;
  }

  const order = argsort(predicted);
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const start = Math.floor((b * n) / bins);
    const end = Math.floor(((b + 1) * n) / bins);
    if (end <= start) continue;
    let sumPred = 0;
    let sumY = 0;
    for (let r = start; r < end; r++) {
      const i = order[r]!;
      sumPred += predicted[i]!;
      if (y[i]) sumY++;
    }
    ece += Math.abs(sumPred - sumY) / n; // (n_bin / n) · |mean(pred) − mean(y)|
  }
  return { ece, brier: brier / n };
}

/**
 * Quantile bands of a score: up to `bands` (default 10) groups of nearly equal size by ascending score, where
 * equal scores never fall into different bands (so with many ties there are fewer bands). Returns, per band
 * from lowest to highest, the indices of its members and its min and max score.
 *
 * Why: deciles of the score are how a review shows conversion rising with
 * the score; splitting a tie would put identical leads in different bands.
 * Each cut goes to the boundary between tied runs nearest to the ideal
 * position i·n/bands; members are listed by ascending score, then index.
 */
export function quantileBands(scores: readonly number[], bands: number = 10): { min: number; max: number; members: number[] }[] {
  assertNoNaN(scores, 'quantileBands: scores');
  if (!Number.isSafeInteger(bands) || bands < 1) throw new RangeError(`quantileBands: bands must be a positive integer, got ${bands}`);
  const n = scores.length;
  if (n === 0) return [];
  const order = argsort(scores);

  // Positions (in sorted order) where a new score value starts: the only allowed cuts.
  const runStarts: number[] = [];
  for (let r = 1; r < n; r++) if (scores[order[r]!] !== scores[order[r - 1]!]) runStarts.push(r);

  const cuts: number[] = [];
  for (let b = 1; b < bands && runStarts.length > 0; b++) {
    const target = (b * n) / bands;
    // Binary search for the first run start ≥ target, then take the nearer neighbour.
    let lo = 0;
    let hi = runStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runStarts[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    let best = lo < runStarts.length ? runStarts[lo]! : runStarts[runStarts.length - 1]!;
    if (lo > 0 && target - runStarts[lo - 1]! <= best - target) best = runStarts[lo - 1]!;
    if (cuts.length === 0 || best > cuts[cuts.length - 1]!) cuts.push(best);
  }

  const result: { min: number; max: number; members: number[] }[] = [];
  let start = 0;
  for (const end of [...cuts, n]) {
    const members = order.slice(start, end);
    result.push({ min: scores[members[0]!]!, max: scores[members[members.length - 1]!]!, members });
    start = end;
  }
  return result;
}

/**
 * The complementary error function, erfc(x), with a relative error below
 * 1.2e-7 everywhere (the Chebyshev fit of Numerical Recipes' erfcc). Written
 * here because simple-statistics' normal distribution function is a table
 * that stops at z = 3.09: every smaller p-value came out as 0.002, and a
 * Bonferroni threshold below that could never be met.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** The upper tail of the χ² distribution with one degree of freedom: the two-sided p-value of a z of √x. */
export function chiSquare1Tail(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

/**
 * 95 % interval of a lift: the success rate of a group (k1 of n1) over the
 * rate of the whole it belongs to (k of n, the group included), by the
 * delta method on the log scale with the overlap's covariance:
 * Var(log lift) ≈ (1 − p1)/k1 + (1 − p)/k − 2(1 − p1)/k. Half a success is
 * added to an empty group so the interval stays finite. Null without any
 * success in the whole.
 */
export function liftInterval(k1: number, n1: number, k: number, n: number, z = 1.96): [number, number] | null {
  if (k <= 0 || n1 <= 0 || n <= 0) return null;
  const a = k1 === 0 ? 0.5 : k1;
  const p1 = a / n1;
  const p = k / n;
  const variance = Math.max(0, (1 - p1) / a + (1 - p) / k - (2 * (1 - p1)) / k);
  const lift = p1 / p;
  const half = z * Math.sqrt(variance);
  return [lift * Math.exp(-half), lift * Math.exp(half)];
}
