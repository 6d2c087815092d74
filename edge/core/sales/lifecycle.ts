/**
 * The sales lifecycle after hand-off, as one table: which status may follow
 * which, and what each needs. Pure; the write-back use case asks it before
 * anything is stored. docs/domain.md ("hand-off") and docs/sales.md say it in words.
 *
 * - `open`: assigned to an owner, who has not accepted or rejected yet. Only an
 *   assignment (routing or a manual owner) opens a lead.
 * - `accepted` / `rejected` (with a reason): the owner's answer.
 * - `recycled`: back to marketing; the stage returns to confirmed, fit is kept,
 *   and only new engagement can cross MQL and SQL again.
 * - `opportunity`, then `won` (value, currency, close date) or `lost` (reason).
 *
 * A lead sales never got from us (no status yet) may still be written back
 * by a CRM (accepted, rejected, opportunity, won, lost): sales found it
 * itself, and the outcome is what the score review learns from.
 */

export const SALES_STATUSES = ['open', 'accepted', 'rejected', 'recycled', 'opportunity', 'won', 'lost'] as const;
export type SalesStatus = (typeof SALES_STATUSES)[number];

/** What may be written back by hand (`open` only comes from an assignment). */
export const WRITABLE_STATUSES = ['accepted', 'rejected', 'recycled', 'opportunity', 'won', 'lost'] as const;
export type WritableStatus = (typeof WRITABLE_STATUSES)[number];

const NEXT: Record<SalesStatus | 'none', readonly WritableStatus[]> = {
  none: ['accepted', 'rejected', 'opportunity', 'won', 'lost'],
  open: ['accepted', 'rejected', 'recycled', 'opportunity', 'won', 'lost'],
  accepted: ['rejected', 'recycled', 'opportunity', 'won', 'lost'],
  rejected: ['accepted', 'recycled'],
  recycled: [],
  opportunity: ['recycled', 'won', 'lost'],
  won: [],
  lost: ['recycled', 'opportunity'],
};

/** The statuses that may follow `from` (null: the lead has none yet). */
export function allowedNext(from: SalesStatus | null): readonly WritableStatus[] {
  return NEXT[from ?? 'none'];
}

export function canMove(from: SalesStatus | null, to: WritableStatus): boolean {
  return allowedNext(from).includes(to);
}

/** Forward moves count as "up" in the stage history, answers against the lead as "down". */
export function directionOf(to: SalesStatus): 'up' | 'down' {
  return to === 'rejected' || to === 'recycled' || to === 'lost' ? 'down' : 'up';
}

/** The owner's clock runs only while the lead waits for an answer. */
export const awaitsOwner = (status: SalesStatus | null): boolean => status === 'open';

/**
 * Whether a lead at the hand-off stage is due for routing: never with sales,
 * or recycled and back by new engagement. An owner set by hand wins.
 */
export function routable(lead: { salesStatus: SalesStatus | null; ownerId: string | null }): boolean {
  return lead.ownerId === null && (lead.salesStatus === null || lead.salesStatus === 'recycled');
}
