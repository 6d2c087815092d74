/**
 * The funnel report from counts and a cohort of leads. Pure: the reports
 * feature reads, this shapes. Each step: its count, the conversion from the
 * step before (null for the first, or after a zero), the drop-off, and the
 * median time from the step before (per lead, from its first entry into
 * that step to its first entry into this one; null where it cannot be told).
 */

export const LEAD_STEPS = ['leads', 'confirmed', 'mql', 'sql', 'accepted', 'opportunity', 'won'] as const;
export type LeadStep = (typeof LEAD_STEPS)[number];

export const FUNNEL_GROUPS = ['source', 'magnet', 'country', 'industry', 'owner'] as const;
export type FunnelGroup = (typeof FUNNEL_GROUPS)[number];

/** Groups shown with `by`; the rest are summed up as "(other)". */
export const MAX_GROUPS = 20;

export interface FunnelLead {
  createdAt: number;
  confirmedAt: number | null;
  mqlAt: number | null;
  sqlAt: number | null;
  acceptedAt: number | null;
  opportunityAt: number | null;
  wonAt: number | null;
  salesStatus: string | null;
  value: number | null;
  currency: string | null;
}

export interface FunnelStep {
  step: string;
  count: number;
  conversion: number | null;
  lost: number | null;
  /** Median milliseconds from the step before; null for behaviour steps and where no lead made the move. */
  medianMs: number | null;
}

const AT: Record<LeadStep, (l: FunnelLead) => number | null> = {
  leads: (l) => l.createdAt,
  confirmed: (l) => l.confirmedAt,
  mql: (l) => l.mqlAt,
  sql: (l) => l.sqlAt,
  accepted: (l) => l.acceptedAt,
  opportunity: (l) => l.opportunityAt,
  won: (l) => l.wonAt,
};

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Counts in order, each with conversion and drop-off from the one before. */
export function chain(counts: readonly (readonly [string, number, number | null])[]): FunnelStep[] {
  return counts.map(([step, count, medianMs], i) => {
    const before = i ? counts[i - 1]![1] : null;
    return { step, count, conversion: before ? count / before : null, lost: before === null ? null : Math.max(0, before - count), medianMs };
  });
}

/** The lead part of the funnel (leads → won) of a cohort, with medians. */
export function leadSteps(leads: readonly FunnelLead[]): (readonly [LeadStep, number, number | null])[] {
  // "Reached" means this step or a later one: a lead is never counted in a step after one it skipped but not in the skipped one.
  const reached = (l: FunnelLead, i: number) => LEAD_STEPS.slice(i).some((s) => AT[s](l) !== null);
  return LEAD_STEPS.map((step, i) => {
    const count = leads.filter((l) => reached(l, i)).length;
    if (i === 0) return [step, count, null] as const;
    const prev = LEAD_STEPS[i - 1]!;
    const gaps = leads.flatMap((l) => {
      const a = AT[prev](l);
      const b = AT[step](l);
      return a !== null && b !== null && b >= a ? [b - a] : [];
    });
    return [step, count, median(gaps)] as const;
  });
}

/**
 * A cohort's lead steps counted by the database instead of lead by lead:
 * `furthest[i]` leads got furthest to LEAD_STEPS[i] (holes are zero),
 * `middles[i]` holds the middle gap (odd count) or two (even) of the moves
 * into step i, and `revenue` the sum of won deals per currency.
 */
export interface CohortFunnel {
  furthest: number[];
  middles: number[][];
  revenue: Record<string, number>;
}

/** leadSteps from counts: the same steps, counts and medians as leadSteps of the leads themselves. */
export function leadStepsOf(f: CohortFunnel): (readonly [LeadStep, number, number | null])[] {
  return LEAD_STEPS.map((step, i) => {
    let count = 0;
    for (let j = i; j < LEAD_STEPS.length; j++) count += f.furthest[j] ?? 0;
    const mid = i ? f.middles[i] : undefined;
    return [step, count, mid?.length ? mid.reduce((a, b) => a + b, 0) / mid.length : null] as const;
  });
}

/** Sums per currency rounded to the cent, as revenue() rounds them. */
export function roundedRevenue(sums: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(sums).map(([c, v]) => [c, Math.round(v * 100) / 100]));
}

/** The sum of won deals per currency. */
export function revenue(leads: readonly FunnelLead[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of leads) {
    if (l.salesStatus !== 'won' || l.value === null || !l.currency) continue;
    out[l.currency] = Math.round(((out[l.currency] ?? 0) + l.value) * 100) / 100;
  }
  return out;
}

/** The first touch of a lead: its first event's UTM source, else its referrer's host, else direct. */
export function sourceOf(firstUtm: string | null, firstReferrer: string | null): string {
  if (firstUtm) {
    try {
      const source = (JSON.parse(firstUtm) as { source?: unknown }).source;
      if (typeof source === 'string' && source.trim()) return source.trim().toLowerCase();
    } catch {
      // a stored utm is always JSON; an unreadable one counts as none
    }
  }
  if (firstReferrer) {
    try {
      return new URL(firstReferrer).hostname.replace(/^www\./, '');
    } catch {
      return 'direct';
    }
  }
  return 'direct';
}

/** Leads grouped by `key`, biggest groups first, at most MAX_GROUPS and "(other)". */
export function groupLeads<L>(leads: readonly L[], key: (l: L) => string | null): { value: string; leads: L[] }[] {
  const groups = new Map<string, L[]>();
  for (const l of leads) {
    const k = key(l) ?? '(none)';
    const g = groups.get(k);
    if (g) g.push(l);
    else groups.set(k, [l]);
  }
  const sorted = [...groups].map(([value, ls]) => ({ value, leads: ls })).sort((a, b) => b.leads.length - a.leads.length || (a.value < b.value ? -1 : 1));
  if (sorted.length <= MAX_GROUPS) return sorted;
  return [...sorted.slice(0, MAX_GROUPS), { value: '(other)', leads: sorted.slice(MAX_GROUPS).flatMap((g) => g.leads) }];
}
