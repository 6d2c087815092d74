/**
 * The list's filters as URL params (the API's own query names), and the
 * mapping to a saved segment's filter and back. `days` is the relative
 * period of a segment (updatedWithinDays), sent as updated_since.
 */
export const FILTER_KEYS = ['stage', 'temperature', 'min_score', 'max_score', 'owner', 'sales_status', 'magnet', 'country', 'industry', 'q', 'days'] as const;

export interface SegmentFilter {
  stage?: string[];
  temperature?: string;
  minScore?: number;
  maxScore?: number;
  updatedWithinDays?: number;
  magnet?: string;
  q?: string;
  owner?: string;
  salesStatus?: string;
  country?: string;
  industry?: string;
}

const STRINGS = { temperature: 'temperature', magnet: 'magnet', q: 'q', owner: 'owner', sales_status: 'salesStatus', country: 'country', industry: 'industry' } as const;
const NUMBERS = { min_score: 'minScore', max_score: 'maxScore', days: 'updatedWithinDays' } as const;

/** Only the filter params (and sort), in a stable order. */
export function filterParams(p: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of [...FILTER_KEYS, 'sort']) {
    const v = p.get(k)?.trim();
    if (v) out.set(k, v);
  }
  return out;
}

/** The query of GET /v1/leads for these params. */
export function apiQuery(p: URLSearchParams, extra: Record<string, string> = {}): string {
  const q = filterParams(p);
  const days = Number(q.get('days'));
  q.delete('days');
  if (days > 0) q.set('updated_since', new Date(Date.now() - days * 86_400_000).toISOString());
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function toSegment(p: URLSearchParams): SegmentFilter {
  const f: Record<string, unknown> = {};
  const stage = p.get('stage');
  if (stage) f.stage = stage.split(',').filter(Boolean);
  for (const [k, name] of Object.entries(STRINGS)) if (p.get(k)?.trim()) f[name] = p.get(k)!.trim();
  for (const [k, name] of Object.entries(NUMBERS)) if (p.get(k)?.trim() && Number.isFinite(Number(p.get(k)))) f[name] = Number(p.get(k));
  return f as SegmentFilter;
}

export function fromSegment(f: SegmentFilter, sort: string | null): URLSearchParams {
  const p = new URLSearchParams();
  const g = f as Record<string, unknown>;
  if (f.stage?.length) p.set('stage', f.stage.join(','));
  for (const [k, name] of Object.entries(STRINGS)) if (g[name] !== undefined) p.set(k, String(g[name]));
  for (const [k, name] of Object.entries(NUMBERS)) if (g[name] !== undefined) p.set(k, String(g[name]));
  if (sort) p.set('sort', sort);
  return p;
}

/** A segment id from its name: a slug of lowercase letters, digits and hyphens (umlauts spelled out). */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}
