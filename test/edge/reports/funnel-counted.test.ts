import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createSite } from '../helpers';
import { magnetConfig } from '../leads-helpers';
import { api } from '../sales-helpers';
import { apiKey } from '../scoring-helpers';

/**
 * The funnel without a breakdown counts its lead steps in SQL; with `by` it
 * reads each lead and counts in the Worker (core/funnel leadSteps). Both
 * must give the same steps, medians and revenue: a cohort whose leads have
 * no owner is one `by=owner` group holding every lead, and `by=magnet`'s
 * group of a magnet is the cohort of `magnet=` that magnet. The cohort is
 * varied on purpose: skipped steps, repeated entries, a move back in time
 * (no gap), even and odd numbers of gaps, deals in two currencies with cents.
 */

const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const STAGES = ['mql', 'sql', 'accepted', 'opportunity', 'won'] as const;

interface Step { step: string; count: number; conversion: number | null; lost: number | null; medianMs: number | null }
interface Funnel { steps: Step[]; revenue: Record<string, number>; groups?: { value: string; steps: Step[]; revenue: Record<string, number> }[] }

/** Lead n of the cohort: a deterministic mix of every case. */
function leadOf(n: number) {
  const created = START + n * 3_600_000 + (n % 5) * 61_000;
  const confirmed = n % 4 === 3 ? null : created + (n % 7) * 600_000;
  const furthest = n % 6; // 0: none of STAGES … 5: won
  const changes: [string, number][] = [];
  for (let i = 0; i < furthest; i++) {
    // Every third lead skips sql; every fifth enters mql twice; lead 8 entered mql before it signed up.
    if (i === 1 && n % 3 === 0) continue;
    const at = (n === 8 && i === 0) ? created - DAY : created + (i + 1) * (n % 11 + 1) * 3_600_000;
    changes.push([STAGES[i]!, at]);
    if (i === 0 && n % 5 === 0) changes.push(['mql', at + DAY]);
  }
  const won = furthest === 5;
  return { created, confirmed, changes, magnet: n % 3 === 1 ? 'wp' : 'other', deal: won ? { value: 999.99 + n * 10.01, currency: n % 4 < 2 ? 'EUR' : 'USD' } : null };
}

async function seed(site: string, n: number) {
  const l = leadOf(n);
  const id = `ld_c${n}_${Math.random().toString(36).slice(2, 8)}`;
  const stmts = [
    env.DB.prepare(`INSERT INTO leads (site_id, id, email, email_key, status, lang, created_at, updated_at, confirmed_at, sales_status, deal_value, deal_currency)
                    VALUES (?, ?, ?, ?, 'confirmed', 'en', ?, ?, ?, ?, ?, ?)`)
      .bind(site, id, `${id}@corp.example`, `${id}@corp.example`, l.created, l.created, l.confirmed,
        l.deal ? 'won' : l.changes.length > 2 ? 'accepted' : null, l.deal?.value ?? null, l.deal?.currency ?? null),
    env.DB.prepare(`INSERT INTO consent_ledger (site_id, lead_id, magnet_id, action, purpose, granted, created_at) VALUES (?, ?, ?, 'given', 'download', 1, ?)`)
      .bind(site, id, l.magnet, l.created),
    ...l.changes.map(([to, at]) => env.DB.prepare(`INSERT INTO stage_history (site_id, lead_id, from_stage, to_stage, direction, at, score, fit, engagement, model_version)
                                                  VALUES (?, ?, 'confirmed', ?, 'up', ?, 1, 1, 0, 1)`).bind(site, id, to, at)),
  ];
  await env.DB.batch(stmts);
}

async function funnel(key: string, query: string): Promise<Funnel> {
  const res = await api(key, 'GET', `/v1/reports/funnel?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Funnel;
}

describe('the funnel counted in SQL and lead by lead', () => {
  it('gives the same lead steps, medians and revenue, whole and per magnet; medians=false only leaves the medians out', { timeout: 30_000 }, async () => {
    const site = await createSite();
    const key = await apiKey(site);
    for (const m of ['wp', 'other']) expect((await api(key, 'PUT', `/v1/magnets/${m}`, magnetConfig())).status).toBe(201);
    for (let n = 0; n < 61; n++) await seed(site, n);

    const whole = await funnel(key, '');
    const byOwner = await funnel(key, '&by=owner');
    expect(byOwner.groups?.map((g) => g.value)).toEqual(['(none)']);
    const leadSteps = whole.steps.slice(3);
    expect(leadSteps.map((s) => s.step)).toEqual(['leads', 'confirmed', 'mql', 'sql', 'accepted', 'opportunity', 'won']);
    expect(leadSteps[0]!.count).toBe(61);
    // Every step is reached by someone and has a median: the comparison is not between empty reports.
    for (const s of leadSteps.slice(1)) {
      expect(s.count).toBeGreaterThan(0);
      expect(s.medianMs).not.toBeNull();
    }
    expect(leadSteps.slice(1)).toEqual(byOwner.groups![0]!.steps.slice(1));
    expect(whole.revenue).toEqual(byOwner.groups![0]!.revenue);
    expect(Object.keys(whole.revenue).sort()).toEqual(['EUR', 'USD']);

    // medians=false: the same counts, no medians, on both paths; anything but true or false is refused.
    for (const [query, steps] of [['', whole.steps], ['&by=owner', byOwner.steps]] as const) {
      const lean = await funnel(key, `${query}&medians=false`);
      expect(lean.steps.map((s) => s.count)).toEqual(steps.map((s) => s.count));
      expect(lean.steps.every((s) => s.medianMs === null)).toBe(true);
      expect(lean.revenue).toEqual(whole.revenue);
    }
    const wrong = await api(key, 'GET', '/v1/reports/funnel?medians=no');
    expect(wrong.status).toBe(400);

    const byMagnet = await funnel(key, '&by=magnet');
    for (const m of ['wp', 'other']) {
      const only = await funnel(key, `&magnet=${m}`);
      const group = byMagnet.groups!.find((g) => g.value === m)!;
      expect(only.steps.slice(3, 4)[0]!.count).toBe(group.steps[0]!.count);
      expect(only.steps.slice(4)).toEqual(group.steps.slice(1));
      expect(only.revenue).toEqual(group.revenue);
    }
  });
});
