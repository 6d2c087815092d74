import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  calibrationError,
  chiSquare1Tail,
  erfc,
  liftInterval,
  fisherExact,
  fitLogistic,
  plattScale,
  quantileBands,
  rocAuc,
  sigmoid,
  wilson,
} from '../../../../edge/core/review/stats';
import { mulberry32 } from './planted';

/** Seeded PRNG: the same numbers on every run. */
const rng = mulberry32;

/** Standard normal by Box–Muller from a uniform source. */
function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const logistic = (t: number) => 1 / (1 + Math.exp(-t));

describe('wilson', () => {
  /** The textbook formula, written out again independently of the module. */
  function reference(k: number, n: number, z = 1.96): [number, number] {
    const p = k / n;
    const lo = (p + (z * z) / (2 * n) - z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n)) / (1 + (z * z) / n);
    const hi = (p + (z * z) / (2 * n) + z * Math.sqrt((p * (1 - p) + (z * z) / (4 * n)) / n)) / (1 + (z * z) / n);
    return [lo, hi];
  }

  it('matches published values and the formula to 4 decimals', () => {
    const [lo5, hi5] = wilson(5, 10);
    expect(lo5).toBeCloseTo(0.2366, 4);
    expect(hi5).toBeCloseTo(0.7634, 4);
    for (const k of [0, 5, 10]) {
      const [lo, hi] = wilson(k, 10);
      const [rlo, rhi] = reference(k, 10);
      expect(lo).toBeCloseTo(rlo, 4);
      expect(hi).toBeCloseTo(rhi, 4);
    }
    expect(wilson(0, 10)[0]).toBe(0);
    expect(wilson(0, 10)[1]).toBeCloseTo(0.2775, 4);
    expect(wilson(10, 10)[0]).toBeCloseTo(0.7225, 4);
    expect(wilson(10, 10)[1]).toBe(1);
  });

  it('n = 0 is the whole unit interval; a custom z widens it', () => {
    expect(wilson(0, 0)).toEqual([0, 1]);
    const [lo196, hi196] = wilson(30, 100);
    const [lo258, hi258] = wilson(30, 100, 2.576);
    expect(lo258).toBeLessThan(lo196);
    expect(hi258).toBeGreaterThan(hi196);
    const [rlo, rhi] = reference(30, 100, 2.576);
    expect(lo258).toBeCloseTo(rlo, 10);
    expect(hi258).toBeCloseTo(rhi, 10);
  });

  it('refuses impossible counts', () => {
    expect(() => wilson(11, 10)).toThrow(RangeError);
    expect(() => wilson(-1, 10)).toThrow(RangeError);
    expect(() => wilson(1, 10, 0)).toThrow(RangeError);
  });
});

describe('rocAuc', () => {
  /** Hanley & McNeil (1982) standard error, written out again. */
  function hanleyMcNeilSe(a: number, n1: number, n0: number): number {
    const q1 = a / (2 - a);
    const q2 = (2 * a * a) / (1 + a);
    return Math.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0));
  }

  it('a hand-computed example with a tie across the classes', () => {
    // Positives 0.4, 0.8, 0.9; negatives 0.1, 0.4, 0.35.
    // 0.4 beats 0.1 and 0.35 and ties 0.4 → 2.5; 0.8 and 0.9 beat all three → 3 + 3. AUC = 8.5 / 9.
    const r = rocAuc([0.1, 0.4, 0.4, 0.8, 0.35, 0.9], [false, true, false, true, false, true])!;
    expect(r.positives).toBe(3);
    expect(r.negatives).toBe(3);
    expect(r.auc).toBeCloseTo(8.5 / 9, 12);
    const se = hanleyMcNeilSe(8.5 / 9, 3, 3);
    expect(r.ci[0]).toBeCloseTo(8.5 / 9 - 1.96 * se, 10);
    expect(r.ci[1]).toBe(1); // 0.944 + 1.96·se > 1: clamped
  });

  it('agrees with counting all pairs on random tied scores', () => {
    const u = rng(7);
    const scores = Array.from({ length: 300 }, () => Math.floor(u() * 10));
    const labels = scores.map((s) => u() < 0.2 + s * 0.05);
    let wins = 0;
    let n1 = 0;
    let n0 = 0;
    for (let i = 0; i < scores.length; i++) {
      if (labels[i]) n1++;
      else n0++;
      if (!labels[i]) continue;
      for (let j = 0; j < scores.length; j++) {
        if (labels[j]) continue;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    const r = rocAuc(scores, labels)!;
    expect(r.auc).toBeCloseTo(wins / (n1 * n0), 12);
    const se = hanleyMcNeilSe(r.auc, n1, n0);
    expect(r.ci[0]).toBeCloseTo(r.auc - 1.96 * se, 10);
    expect(r.ci[1]).toBeCloseTo(r.auc + 1.96 * se, 10);
    expect(r.auc).toBeGreaterThan(0.6);
  });

  it('perfect, reversed and uninformative scores; an empty class is null', () => {
    expect(rocAuc([1, 2, 3, 4], [false, false, true, true])!.auc).toBe(1);
    expect(rocAuc([1, 2, 3, 4], [true, true, false, false])!.auc).toBe(0);
    expect(rocAuc([5, 5, 5, 5], [true, false, true, false])!.auc).toBe(0.5);
    expect(rocAuc([1, 2, 3, 4], [false, false, true, true])!.ci[1]).toBe(1);
    expect(rocAuc([1, 2, 3, 4], [true, true, false, false])!.ci[0]).toBe(0);
    expect(rocAuc([1, 2], [true, true])).toBeNull();
    expect(rocAuc([1, 2], [false, false])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
    expect(() => rocAuc([1, 2], [true])).toThrow(RangeError);
  });
});

describe('fisherExact', () => {
  /** All tables with the observed margins, with exact integer probabilities (BigInt). */
  function bruteForce(a: number, b: number, c: number, d: number): number {
    const fact = (k: number) => {
      let f = 1n;
      for (let i = 2n; i <= BigInt(k); i++) f *= i;
      return f;
    };
    const choose = (n: number, k: number) => fact(n) / (fact(k) * fact(n - k));
    const r1 = a + b;
    const r2 = c + d;
    const c1 = a + c;
    const denom = choose(r1 + r2, c1);
    const num = (x: number) => choose(r1, x) * choose(r2, c1 - x);
    const observed = num(a);
    let sum = 0n;
    for (let x = Math.max(0, c1 - r2); x <= Math.min(r1, c1); x++) {
      if (num(x) * 10_000_000n <= observed * 10_000_001n) sum += num(x);
    }
    // Scale before dividing so the ratio keeps its digits.
    return Number((sum * 10n ** 15n) / denom) / 1e15;
  }

  it('the tea-tasting table and a strongly associated one', () => {
    const tea = fisherExact(3, 1, 1, 3);
    expect(tea).toBeCloseTo(34 / 70, 10);
    expect(Number(tea.toPrecision(3))).toBe(0.486);
    const strong = fisherExact(10, 2, 3, 15);
    expect(Number(strong.toPrecision(3))).toBe(0.000537);
    // Symmetric under swapping rows, columns and transposing.
    expect(fisherExact(3, 15, 10, 2)).toBeCloseTo(strong, 12);
    expect(fisherExact(2, 10, 15, 3)).toBeCloseTo(strong, 12);
    expect(fisherExact(10, 3, 2, 15)).toBeCloseTo(strong, 12);
  });

  it('agrees with brute-force enumeration on random small tables', () => {
    const u = rng(42);
    for (let t = 0; t < 60; t++) {
      const [a, b, c, d] = [0, 0, 0, 0].map(() => Math.floor(u() * 16)) as [number, number, number, number];
      const expected = bruteForce(a, b, c, d);
      const got = fisherExact(a, b, c, d);
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-9 + 1e-9 * expected);
    }
  });

  it('degenerate margins give 1; bad counts are refused', () => {
    expect(fisherExact(0, 0, 0, 0)).toBe(1);
    expect(fisherExact(5, 0, 7, 0)).toBe(1);
    expect(fisherExact(4, 4, 4, 4)).toBe(1);
    expect(() => fisherExact(-1, 2, 3, 4)).toThrow(RangeError);
    expect(() => fisherExact(1.5, 2, 3, 4)).toThrow(RangeError);
  });

  it('handles large tables without overflow', () => {
    const p = fisherExact(5200, 4800, 4700, 5300);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-8);
    expect(fisherExact(5000, 5000, 5000, 5000)).toBeCloseTo(1, 6);
  });
});

describe('benjaminiHochberg', () => {
  it('a hand-computed example, in input order', () => {
    // Sorted: 0.005·5/1 = 0.025, 0.01·5/2 = 0.025, 0.03·5/3 = 0.05, 0.04·5/4 = 0.05, 0.5·5/5 = 0.5.
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5]);
    const expected = [0.025, 0.05, 0.05, 0.025, 0.5];
    q.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it('enforces monotonicity and caps at 1', () => {
    // Raw 0.02·3/1 = 0.06 exceeds 0.03·3/2 = 0.045: the smaller one carries down.
    const q = benjaminiHochberg([0.02, 0.03, 0.9]);
    expect(q[0]).toBeCloseTo(0.045, 12);
    expect(q[1]).toBeCloseTo(0.045, 12);
    expect(q[2]).toBeCloseTo(0.9, 12);
    expect(benjaminiHochberg([0.8, 1, 0.7])).toEqual([1, 1, 1]);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(() => benjaminiHochberg([0.1, 1.2])).toThrow(RangeError);
  });

  it('q-values are ordered like the p-values on random input', () => {
    const u = rng(3);
    const p = Array.from({ length: 200 }, () => u() ** 3);
    const q = benjaminiHochberg(p);
    for (let i = 0; i < p.length; i++) {
      expect(q[i]).toBeGreaterThanOrEqual(p[i]!);
      expect(q[i]).toBeLessThanOrEqual(1);
      for (let j = 0; j < p.length; j++) if (p[i]! < p[j]!) expect(q[i]).toBeLessThanOrEqual(q[j]!);
    }
  });
});

describe('sigmoid', () => {
  it('is the logistic function and safe at the extremes', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2)).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(sigmoid(-3)).toBeCloseTo(1 - sigmoid(3), 15);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(-700)).toBeGreaterThan(0);
  });
});

describe('fitLogistic', () => {
  const TRUE_INTERCEPT = -1;
  const TRUE_WEIGHTS = [1.5, -0.8, 0];

  /** 5,000 rows; the columns are on different scales to exercise the back-conversion. */
  function simulate(seed: number, n = 5000) {
    const u = rng(seed);
    const z = normal(u);
    const x: number[][] = [];
    const y: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const row = [z(), 0.3 + 2 * z(), 10 * u() - 5];
      const eta = TRUE_INTERCEPT + row.reduce((s, v, j) => s + v * TRUE_WEIGHTS[j]!, 0);
      x.push(row);
      y.push(u() < logistic(eta));
    }
    return { x, y };
  }

  /** Penalised log-likelihood on the original scale, with the standardised-weight penalty written out. */
  function objective(x: number[][], y: boolean[], lambda: number, b0: number, w: number[]): number {
    const n = x.length;
    const sd = w.map((_, j) => {
      const m = x.reduce((s, r) => s + r[j]!, 0) / n;
      return Math.sqrt(x.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / n);
    });
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const eta = b0 + x[i]!.reduce((s, v, j) => s + v * w[j]!, 0);
      ll += (y[i] ? eta : 0) - Math.log1p(Math.exp(eta));
    }
    return ll - (lambda / 2) * w.reduce((s, wj, j) => s + (wj * sd[j]!) ** 2, 0);
  }

  const { x, y } = simulate(2024);

  it('recovers known coefficients on simulated data', () => {
    const fit = fitLogistic(x, y, 0.01);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeGreaterThan(1);
    expect(fit.iterations).toBeLessThan(50);
    expect(Math.abs(fit.intercept - TRUE_INTERCEPT)).toBeLessThan(0.15);
    fit.weights.forEach((w, j) => expect(Math.abs(w - TRUE_WEIGHTS[j]!)).toBeLessThan(0.15));
    expect(Math.abs(fit.weights[2]! / fit.standardErrors[2]!)).toBeLessThan(3);
    // The real effects are clearly significant, and the SEs are of the size theory gives (~1/√(n·p(1−p)·var)).
    expect(Math.abs(fit.weights[0]! / fit.standardErrors[0]!)).toBeGreaterThan(10);
    expect(Math.abs(fit.weights[1]! / fit.standardErrors[1]!)).toBeGreaterThan(10);
    for (const se of fit.standardErrors) {
      expect(se).toBeGreaterThan(0.005);
      expect(se).toBeLessThan(0.1);
    }
  });

  it('is at the optimum of the penalised likelihood', () => {
    const lambda = 5;
    const fit = fitLogistic(x, y, lambda);
    const best = objective(x, y, lambda, fit.intercept, fit.weights);
    const h = 1e-3;
    for (let k = 0; k <= fit.weights.length; k++) {
      for (const sign of [1, -1]) {
        const w = [...fit.weights];
        let b0 = fit.intercept;
        if (k === 0) b0 += sign * h;
        else w[k - 1]! += sign * h;
        expect(objective(x, y, lambda, b0, w)).toBeLessThan(best);
      }
    }
  });

  it('standard errors come from the inverse penalised Hessian, on the original scale', () => {
    const lambda = 50;
    const fit = fitLogistic(x, y, lambda);
    // The negative Hessian of the penalised log-likelihood in the original parameters (b0, w1..w3),
    // built directly: Σ μ(1−μ)·[1 x]ᵀ[1 x] plus λ·sd_j² for w_j (the penalty is λ/2·Σ (w_j·sd_j)²).
    const k = 4;
    const h = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < x.length; i++) {
      const v = [1, ...x[i]!];
      const mu = logistic(fit.intercept + x[i]!.reduce((s, xv, j) => s + xv * fit.weights[j]!, 0));
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) h[a]![b]! += mu * (1 - mu) * v[a]! * v[b]!;
    }
    for (let j = 0; j < 3; j++) {
      const m = x.reduce((s, r) => s + r[j]!, 0) / x.length;
      h[j + 1]![j + 1]! += lambda * (x.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / x.length);
    }
    // Gauss–Jordan inverse.
    const aug = h.map((row, i) => [...row, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))]);
    for (let c = 0; c < k; c++) {
      const piv = aug[c]![c]!;
      for (let j = 0; j < 2 * k; j++) aug[c]![j]! /= piv;
      for (let r = 0; r < k; r++) {
        if (r === c) continue;
        const f = aug[r]![c]!;
        for (let j = 0; j < 2 * k; j++) aug[r]![j]! -= f * aug[c]![j]!;
      }
    }
    for (let j = 0; j < 3; j++) {
      const expected = Math.sqrt(aug[j + 1]![k + j + 1]!);
      expect(Math.abs(fit.standardErrors[j]! / expected - 1)).toBeLessThan(1e-6);
    }
  });

  it('a large lambda shrinks the weights towards 0', () => {
    const norms = [0.01, 100, 10_000, 1_000_000].map((lambda) => {
      const fit = fitLogistic(x, y, lambda);
      return Math.hypot(...fit.weights);
    });
    for (let i = 1; i < norms.length; i++) expect(norms[i]).toBeLessThan(norms[i - 1]!);
    expect(norms[3]).toBeLessThan(0.01 * norms[0]!);
    // The unpenalised intercept goes to the logit of the base rate as the weights vanish.
    const heavy = fitLogistic(x, y, 1e9);
    const rate = y.filter(Boolean).length / y.length;
    expect(heavy.intercept).toBeCloseTo(Math.log(rate / (1 - rate)), 3);
  });

  it('a constant column gets weight 0 and SE Infinity, without disturbing the others', () => {
    const withConstant = x.map((r) => [r[0]!, 7, r[1]!, r[2]!]);
    const plain = fitLogistic(x, y, 0.01);
    const fit = fitLogistic(withConstant, y, 0.01);
    expect(fit.weights[1]).toBe(0);
    expect(fit.standardErrors[1]).toBe(Infinity);
    expect(fit.weights[0]).toBeCloseTo(plain.weights[0]!, 8);
    expect(fit.weights[2]).toBeCloseTo(plain.weights[1]!, 8);
    expect(fit.intercept).toBeCloseTo(plain.intercept, 8);
  });

  it('p = 0 fits the intercept alone; bad input is refused', () => {
    const yy = [true, false, false, true, false, false, false, true];
    const fit = fitLogistic(
      yy.map(() => []),
      yy,
      1,
    );
    expect(fit.weights).toEqual([]);
    expect(fit.intercept).toBeCloseTo(Math.log(3 / 5), 8);
    expect(fit.converged).toBe(true);
    expect(() => fitLogistic([[1], [1, 2]], [true, false], 1)).toThrow(RangeError);
    expect(() => fitLogistic([[1]], [true, false], 1)).toThrow(RangeError);
    expect(() => fitLogistic([[1], [2]], [true, false], -1)).toThrow(RangeError);
    expect(() => fitLogistic([[Number.NaN], [2]], [true, false], 1)).toThrow(RangeError);
  });

  it('handles 20,000 rows × 80 features in reasonable time', () => {
    const u = rng(99);
    const z = normal(u);
    const n = 20_000;
    const p = 80;
    const xs: number[][] = [];
    const ys: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const row = Array.from({ length: p }, () => z());
      xs.push(row);
      ys.push(u() < logistic(-0.5 + 0.5 * row[0]! - 0.5 * row[1]!));
    }
    const t0 = performance.now();
    const fit = fitLogistic(xs, ys, 1);
    const ms = performance.now() - t0;
    expect(fit.converged).toBe(true);
    expect(fit.weights[0]).toBeCloseTo(0.5, 0);
    expect(ms).toBeLessThan(15_000);
  }, 30_000);
});

describe('plattScale', () => {
  it('recovers the sigmoid that generated the data', () => {
    const u = rng(11);
    const scores = Array.from({ length: 20_000 }, () => 100 * u());
    const y = scores.map((s) => u() < logistic(-3 + 0.06 * s));
    const { a, b } = plattScale(scores, y);
    expect(Math.abs(a + 3)).toBeLessThan(0.2);
    expect(Math.abs(b - 0.06)).toBeLessThan(0.005);
  });

  it('stays finite on separable data', () => {
    const { a, b } = plattScale([1, 2, 3, 4, 5, 6], [false, false, false, true, true, true]);
    expect(Number.isFinite(a)).toBe(true);
    expect(Number.isFinite(b)).toBe(true);
    expect(b).toBeGreaterThan(0);
    expect(sigmoid(a + 6 * b)).toBeGreaterThan(0.99);
    expect(sigmoid(a + 1 * b)).toBeLessThan(0.01);
  });
});

describe('calibrationError', () => {
  it('a hand-computed example', () => {
    // Bins of 2: mean pred 0.15 vs rate 0.5, and 0.85 vs 1 → ½·0.35 + ½·0.15 = 0.25.
    const r = calibrationError([0.9, 0.1, 0.8, 0.2], [true, false, true, true], 2)!;
    expect(r.ece).toBeCloseTo(0.25, 12);
    expect(r.brier).toBeCloseTo((0.01 + 0.01 + 0.04 + 0.64) / 4, 12);
    expect(calibrationError([], [])).toBeNull();
    expect(() => calibrationError([0.5], [true], 0)).toThrow(RangeError);
  });

  it('is near 0 for calibrated predictions and large for predictions off by 0.3', () => {
    const u = rng(5);
    const n = 20_000;
    const pred = Array.from({ length: n }, () => u());
    const y = pred.map((p) => u() < p);
    const good = calibrationError(pred, y)!;
    expect(good.ece).toBeLessThan(0.02);
    expect(good.brier).toBeCloseTo(1 / 6, 2); // E[p(1−p)] for p ~ U(0, 1)
    const shifted = pred.map((p) => Math.min(1, p + 0.3));
    const bad = calibrationError(shifted, y)!;
    expect(bad.ece).toBeGreaterThan(0.2);
    expect(bad.brier).toBeGreaterThan(good.brier);
  });
});

describe('quantileBands', () => {
  function checkPartition(scores: number[], bands: ReturnType<typeof quantileBands>) {
    const seen = new Set<number>();
    for (const band of bands) {
      for (const i of band.members) {
        expect(seen.has(i)).toBe(false);
        seen.add(i);
        expect(scores[i]).toBeGreaterThanOrEqual(band.min);
        expect(scores[i]).toBeLessThanOrEqual(band.max);
      }
      expect(band.min).toBe(Math.min(...band.members.map((i) => scores[i]!)));
      expect(band.max).toBe(Math.max(...band.members.map((i) => scores[i]!)));
    }
    expect(seen.size).toBe(scores.length);
    // Strictly increasing from band to band: a score value never spans two bands.
    for (let b = 1; b < bands.length; b++) expect(bands[b]!.min).toBeGreaterThan(bands[b - 1]!.max);
  }

  it('distinct scores make equal deciles', () => {
    const u = rng(8);
    const scores = Array.from({ length: 1000 }, () => u());
    const bands = quantileBands(scores);
    expect(bands).toHaveLength(10);
    for (const band of bands) expect(band.members).toHaveLength(100);
    checkPartition(scores, bands);
    expect(quantileBands([3, 1, 2], 10).map((b) => b.members)).toEqual([[1], [2], [0]]);
  });

  it('keeps equal scores together, with fewer bands when ties are heavy', () => {
    // Half the leads have score 0; the rest 1..50.
    const scores = [...Array.from({ length: 50 }, () => 0), ...Array.from({ length: 50 }, (_, i) => i + 1)];
    const bands = quantileBands(scores);
    expect(bands.length).toBeLessThanOrEqual(10);
    expect(bands.length).toBeGreaterThan(1);
    checkPartition(scores, bands);
    const zeros = bands.filter((b) => b.min === 0);
    expect(zeros).toHaveLength(1);
    expect(zeros[0]!.members).toHaveLength(50);
    // Four 0s, five 1s, one 2: the cut for halves goes to the nearer run boundary (4, not 9).
    expect(quantileBands([0, 0, 0, 0, 1, 1, 1, 1, 1, 2], 2).map((b) => b.members.length)).toEqual([4, 6]);
    expect(quantileBands([2, 1, 1, 1, 1, 1, 0, 0, 0, 0], 2).map((b) => [b.min, b.max])).toEqual([[0, 0], [1, 2]]);
    expect(quantileBands([5, 5, 5, 5])).toEqual([{ min: 5, max: 5, members: [0, 1, 2, 3] }]);
    expect(quantileBands([])).toEqual([]);
  });

  it('random integer scores with ties: a partition of ≤ bands groups of roughly equal size', () => {
    for (const seed of [1, 2, 3, 4]) {
      const u = rng(seed);
      const scores = Array.from({ length: 2000 }, () => Math.floor(u() ** 2 * 60));
      for (const k of [4, 10]) {
        const bands = quantileBands(scores, k);
        expect(bands.length).toBeLessThanOrEqual(k);
        checkPartition(scores, bands);
        if (k === 4) {
          // Ties smaller than a quarter: four bands, each within one tie group of the ideal 500.
          const largestTie = Math.max(...[...new Set(scores)].map((s) => scores.filter((v) => v === s).length));
          expect(largestTie).toBeLessThan(500);
          expect(bands).toHaveLength(4);
          for (const band of bands) expect(Math.abs(band.members.length - 500)).toBeLessThanOrEqual(largestTie);
        }
      }
    }
    expect(() => quantileBands([1, 2], 0)).toThrow(RangeError);
  });
});

describe('erfc and the χ² tail', () => {
  it('match published values far into the tail, where a table-based normal distribution function stops', () => {
    // erfc(0.5), erfc(1), erfc(2), erfc(3) and erfc(4) to double precision; the fit promises a relative error below 1.2e-7.
    const published: [number, number][] = [[0.5, 0.4795001221869535], [1, 0.15729920705028513], [2, 0.004677734981047266],
      [3, 2.209049699858544e-5], [4, 1.541725790028002e-8]];
    for (const [x, v] of published) expect(Math.abs(erfc(x) / v - 1)).toBeLessThan(1.2e-7);
    expect(erfc(-1)).toBeCloseTo(2 - 0.157299, 6);
    // χ² of 3.841459 with one degree of freedom is p = 0.05; χ² = 100 is p ≈ 1.5e-23, not 0.002.
    expect(chiSquare1Tail(3.841459)).toBeCloseTo(0.05, 6);
    expect(chiSquare1Tail(100)).toBeLessThan(1e-20);
    expect(chiSquare1Tail(100)).toBeGreaterThan(1e-25);
    expect(chiSquare1Tail(0)).toBe(1);
  });
});

describe('liftInterval', () => {
  it('covers the true lift of a group about 95 % of the time', () => {
    const r = rng(2024);
    const [n1, n0, p1, p0] = [120, 480, 0.35, 0.2];
    const truth = p1 / ((n1 * p1 + n0 * p0) / (n1 + n0));
    let covered = 0;
    const runs = 4000;
    for (let i = 0; i < runs; i++) {
      let k1 = 0, k0 = 0;
      for (let j = 0; j < n1; j++) if (r() < p1) k1++;
      for (let j = 0; j < n0; j++) if (r() < p0) k0++;
      const ci = liftInterval(k1, n1, k1 + k0, n1 + n0)!;
      if (ci[0] <= truth && truth <= ci[1]) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.97);
  });

  it('is narrow for a big group, wide for a small one, finite for an empty one and absent without any success', () => {
    const [lo1, hi1] = liftInterval(300, 1000, 600, 3000)!;
    const [lo2, hi2] = liftInterval(3, 10, 600, 3000)!;
    expect(lo1).toBeLessThan(1.5);
    expect(hi1).toBeGreaterThan(1.5);
    expect(hi2 - lo2).toBeGreaterThan(5 * (hi1 - lo1));
    expect(liftInterval(0, 10, 600, 3000)!.every(Number.isFinite)).toBe(true);
    expect(liftInterval(0, 10, 0, 3000)).toBeNull();
  });
});
