import { sizeRange } from '../scoring/compile';
import { compileKeyword, keywordMatches, normaliseWords } from '../scoring/match';

/**
 * Routing a handed-off lead to a sales person. Pure: the assignment use case
 * reads the owners, asks here, and writes the answer in one guarded batch.
 *
 * Among active owners whose territory matches the lead, the one furthest
 * behind its share gets it: the smallest (assigned + 1) / weight, ties to the
 * fewer assigned, then the id. That is weighted round-robin without state
 * beyond the counts: weights 3, 2, 1 over 30 leads give 15, 10 and 5, in
 * the order a b a c b a …. Fallback owners take a lead no territory
 * matches; without one the lead waits unassigned (and says so).
 */

/** Where an owner sells; every part present must match, an absent part matches all. */
export interface Territory {
  /** ISO 3166-1 alpha-2 codes. */
  countries?: string[];
  /** Keywords matched against the lead's industry like fit rules match them. */
  industries?: string[];
  /** Employees; the lead's whole size bucket must lie within. */
  sizeMin?: number;
  sizeMax?: number;
}

export interface RoutingOwner {
  id: string;
  active: boolean;
  fallback: boolean;
  weight: number;
  assigned: number;
  territory: Territory | null;
}

export interface RoutingLead {
  country: string | null;
  industry: string | null;
  companySize: string | null;
}

export function territoryMatches(t: Territory | null, lead: RoutingLead): boolean {
  if (!t) return true;
  if (t.countries?.length && !(lead.country && t.countries.includes(lead.country.toUpperCase()))) return false;
  if (t.industries?.length) {
    const words = normaliseWords(lead.industry ?? '');
    if (!t.industries.some((k) => keywordMatches(compileKeyword(k), words))) return false;
  }
  if (t.sizeMin !== undefined || t.sizeMax !== undefined) {
    const size = sizeRange(lead.companySize);
    if (!size || size[0] < (t.sizeMin ?? 0) || size[1] > (t.sizeMax ?? Number.POSITIVE_INFINITY)) return false;
  }
  return true;
}

const byShare = (a: RoutingOwner, b: RoutingOwner) =>
  (a.assigned + 1) / a.weight - (b.assigned + 1) / b.weight || a.assigned - b.assigned || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The owner for `lead`, or null when nobody can take it. `exclude`: owners it must not go to (an SLA miss). */
export function chooseOwner<O extends RoutingOwner>(owners: readonly O[], lead: RoutingLead, exclude: ReadonlySet<string> = new Set()): O | null {
  const open = owners.filter((o) => o.active && !exclude.has(o.id));
  const matching = open.filter((o) => !o.fallback && territoryMatches(o.territory, lead));
  const pool = matching.length ? matching : open.filter((o) => o.fallback);
  return [...pool].sort(byShare)[0] ?? null;
}
