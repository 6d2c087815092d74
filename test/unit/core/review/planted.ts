import { computeFacts } from '../../../../edge/core/review/facts';
import type { FactRow } from '../../../../edge/core/review/report';
import type { ScoringEvent, ScoringModel } from '../../../../edge/core/scoring';

/**
 * Leads whose buying depends on known attributes and behaviour, with noise:
 * manufacturing companies and repeated pricing visits raise the odds, a
 * free-mail address lowers them; industry "software" (which the default
 * model rewards) and the company size do nothing. With `signal: false`
 * every lead buys with the same probability.
 */
export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 1);

export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;

export interface Planted {
  rows: FactRow[];
  /** The true probability of each row (same order). */
  truth: number[];
}

/** Log-odds of a purchase: the base and what manufacturing, each pricing visit and a free-mail address add. */
export interface Effects {
  base: number;
  manufacturing: number;
  pricing: number;
  freemail: number;
}
export const PLANTED: Effects = { base: -1.6, manufacturing: 1.6, pricing: 0.45, freemail: -1.5 };
export const NO_SIGNAL: Effects = { base: -0.9, manufacturing: 0, pricing: 0, freemail: 0 };

export function plantedLeads(model: ScoringModel, n: number, seed: number, signal: boolean | Effects): Planted {
  const fx = signal === true ? PLANTED : signal === false ? NO_SIGNAL : signal;
  const r = mulberry32(seed);
  const rows: FactRow[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const industry = pick(r, ['Manufacturing', 'Software', 'Retail', 'Finance', 'Health care']);
    const freemail = r() < 0.3;
    const pricing = Math.floor(r() * 6);
    const views = 1 + Math.floor(r() * 8);
    const refAt = NOW - 200 * DAY - Math.floor(r() * 500) * DAY;
    const raw: Omit<ScoringEvent, 'seq'>[] = [];
    for (let k = 0; k < views; k++) raw.push({ kind: 'pageview', ts: refAt - (k + 1) * DAY, path: `/blog/post-${k}`, magnet: null, name: null });
    for (let k = 0; k < pricing; k++) {
      raw.push({ kind: 'pageview', ts: refAt - (k + 1) * 2 * DAY, path: '/preise', magnet: null, name: null });
      raw.push({ kind: 'pricing_view', ts: refAt - (k + 1) * 2 * DAY, path: '/preise', magnet: null, name: null });
    }
    // Scored in the order they happened, as the collector does.
    const events: ScoringEvent[] = raw.sort((x, y) => x.ts - y.ts).map((e, seq) => ({ ...e, seq }));
    const logit = fx.base + (industry === 'Manufacturing' ? fx.manufacturing : 0) + fx.pricing * pricing + (freemail ? fx.freemail : 0);
    const p = 1 / (1 + Math.exp(-logit));
    const won = r() < p;
    const profile = {
      email: freemail ? `p${i}@gmail.com` : `p${i}@firm${i % 50}.example`,
      company: `Firm ${i % 50}`,
      role: pick(r, ['CEO', 'Head of Marketing', 'Engineer']),
      companySize: pick(r, ['10-49', '50-249', '250-999', '1000+']),
      industry,
      country: pick(r, ['DE', 'AT', 'US', 'FR']),
    };
    const c = computeFacts({ model, profile, events, refAt, magnet: 'guide' });
    rows.push({ leadId: `l${String(i).padStart(5, '0')}`, refAt, salesStatus: won ? 'won' : 'lost', score: c.score, fit: c.fit, engagement: c.engagement, facts: c.facts });
    truth.push(p);
  }
  return { rows, truth };
}
