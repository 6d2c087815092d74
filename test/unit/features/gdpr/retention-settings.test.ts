import { describe, expect, it } from 'vitest';
import { erasedLeadRef, erasureSecret, ledgerPseudonym } from '../../../../edge/core/erasure-hash';
import { cutoffs, effectiveRetention, RETENTION_DEFAULTS, RETENTION_LIMITS } from '../../../../edge/features/gdpr/retention';

const KEY = 'unit-test-signing-key-0123456789abcdef';
const DAY = 86_400_000;

describe('retention settings', () => {
  it('defaults: 30 days pending, 30 days withdrawn, 13 months of events, 3 years of erased ledger', () => {
    expect(RETENTION_DEFAULTS).toEqual({ pendingDays: 30, withdrawnDays: 30, eventMonths: 13, ledgerYears: 3 });
    expect(effectiveRetention({})).toEqual(RETENTION_DEFAULTS);
    expect(effectiveRetention({ pendingDays: 7, eventMonths: null })).toEqual({ ...RETENTION_DEFAULTS, pendingDays: 7 });
  });

  it('legitimate-interest periods can be shortened, never lengthened past 30 days', () => {
    expect(RETENTION_LIMITS.pendingDays[1]).toBe(30);
    expect(RETENTION_LIMITS.withdrawnDays[1]).toBe(30);
  });

  it('cut-offs count calendar months and years in UTC', () => {
    const now = Date.UTC(2026, 10, 22, 12); // 2026-11-22 12:00Z
    const c = cutoffs(effectiveRetention({}), now);
    expect(c.pending).toBe(now - 30 * DAY);
    expect(c.withdrawn).toBe(now - 30 * DAY);
    expect(new Date(c.events).toISOString()).toBe('2025-10-22T12:00:00.000Z');
    expect(new Date(c.ledger).toISOString()).toBe('2023-11-22T12:00:00.000Z');
    expect(new Date(cutoffs(effectiveRetention({ eventMonths: 25 }), now).events).toISOString()).toBe('2024-10-22T12:00:00.000Z');
  });
});

describe('erasure pseudonyms', () => {
  it('are keyed one-way hashes: stable per site and address, unlike for another site, never containing the input', async () => {
    const a = await ledgerPseudonym(KEY, 'site-a', 'jane@example.com');
    expect(a).toMatch(/^ps_[A-Za-z0-9_-]{43}$/);
    expect(await ledgerPseudonym(KEY, 'site-a', 'jane@example.com')).toBe(a);
    expect(await ledgerPseudonym(KEY, 'site-b', 'jane@example.com')).not.toBe(a);
    expect(await ledgerPseudonym(`${KEY}-rotated`, 'site-a', 'jane@example.com')).not.toBe(a);
    expect(a).not.toContain('jane');
    const ref = await erasedLeadRef(KEY, 'site-a', 'ld_abcdefghijklmnop');
    expect(ref).toMatch(/^lr_[A-Za-z0-9_-]{43}$/);
    expect(ref).not.toContain('abcdefghijklmnop');
    expect(ref.slice(3)).not.toBe(a.slice(3));
  });

  it('without a usable SIGNING_KEY they are random: the kept rows can never be linked back', async () => {
    expect(erasureSecret(undefined)).toBeNull();
    expect(erasureSecret('short')).toBeNull();
    expect(erasureSecret(KEY)).toBe(KEY);
    const one = await ledgerPseudonym(null, 'site-a', 'jane@example.com');
    expect(one).toMatch(/^ps_/);
    expect(await ledgerPseudonym(null, 'site-a', 'jane@example.com')).not.toBe(one);
  });
});
