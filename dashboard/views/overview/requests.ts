import { query } from '../../api';

export const DAY = 86_400_000;
const MINUTE = 60_000;

export interface OverviewFilters { days: number; magnet: string; source: string }

/** The overview's filters as the URL states them (30 days, every magnet and source by default). */
export function filtersOf(params: URLSearchParams): OverviewFilters {
  return { days: Number(params.get('days')) || 30, magnet: params.get('magnet') ?? '', source: params.get('source') ?? '' };
}

/**
 * The period ending now, its end rounded up to the next full minute: the
 * entry's early request and the view's own then ask for the same path, so
 * the view can take the early answer.
 */
export function periodOf(days: number, now = Date.now()): { from: number; to: number } {
  const to = Math.ceil(now / MINUTE) * MINUTE;
  return { from: to - days * DAY, to };
}

/** The funnel as the overview draws it: counts only, as it shows no medians (most of the report's cost at scale). */
export function funnelPath(filters: { from: number; to: number; magnet: string; source: string }): string {
  return `/v1/reports/funnel${query({ ...filters, medians: 'false' })}`;
}
