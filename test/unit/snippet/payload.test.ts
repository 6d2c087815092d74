import { describe, expect, it } from 'vitest';
import { LIMITS, type WireEvent } from '../../../protocol/events';
import { BODY_CHARS, cleanProps, pack, text } from '../../../snippet/payload';

const ev = (i: number, extra: Partial<WireEvent> = {}): WireEvent => ({ id: `event-${String(i).padStart(4, '0')}`, kind: 'custom', ts: 1, url: 'https://a.example/', name: 'n', ...extra });

describe('props and text from the page', () => {
  it('keeps flat string/finite number/boolean values within the limits', () => {
    const input: Record<string, unknown> = { plan: 'business', seats: 25, trial: true, nan: NaN, inf: Infinity, obj: { a: 1 }, arr: [1], nul: null, fn: () => 1, '': 'empty key', ['k'.repeat(41)]: 'long key', long: 'v'.repeat(300) };
    expect(cleanProps(input)).toEqual({ plan: 'business', seats: 25, trial: true, long: 'v'.repeat(LIMITS.propValueMaxLength) });
  });

  it('at most propsMaxKeys keys; nothing usable → undefined', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(cleanProps(many)!)).toHaveLength(LIMITS.propsMaxKeys);
    expect(cleanProps({ a: null })).toBeUndefined();
    expect(cleanProps('plan')).toBeUndefined();
    expect(cleanProps(undefined)).toBeUndefined();
  });

  it('does not see inherited properties', () => {
    const proto = { inherited: 'x' };
    expect(cleanProps(Object.assign(Object.create(proto), { own: 1 }))).toEqual({ own: 1 });
  });

  it('text: cut, empty → undefined', () => {
    expect(text('abc', 2)).toBe('ab');
    expect(text('', 5)).toBeUndefined();
    expect(text(undefined, 5)).toBeUndefined();
    expect(text(42, 5)).toBe('42');
  });
});

describe('request bodies', () => {
  it('one body for a small batch; valid JSON; dropped only when > 0', () => {
    const [only, ...rest] = pack('demo', [ev(1), ev(2)], 0);
    expect(rest).toHaveLength(0);
    expect(JSON.parse(only!.body)).toEqual({ site: 'demo', events: [ev(1), ev(2)] });
    expect(JSON.parse(pack('demo', [ev(1)], 7)[0]!.body).dropped).toBe(7);
  });

  it('at most batchEvents events per body, in order, nothing lost', () => {
    const events = Array.from({ length: 250 }, (_, i) => ev(i));
    const parts = pack('demo', events, 3);
    expect(parts.map((p) => p.events.length)).toEqual([100, 100, 50]);
    const sent = parts.flatMap((p) => JSON.parse(p.body).events);
    expect(sent).toEqual(events);
    expect(parts.map((p) => JSON.parse(p.body).dropped)).toEqual([3, undefined, undefined]);
  });

  it('splits by size, staying under the 64 KiB beacon quota', () => {
    const big = Array.from({ length: 40 }, (_, i) => ev(i, { props: { text: 'é'.repeat(256), more: 'x'.repeat(256) } }));
    const parts = pack('demo', big, 0);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.body.length).toBeLessThan(BODY_CHARS + 200);
      expect(new TextEncoder().encode(p.body).length).toBeLessThan(LIMITS.batchBytes);
    }
    expect(parts.flatMap((p) => p.events)).toEqual(big);
  });

  it('a host page’s Array.prototype.toJSON does not change the body', () => {
    const proto = Array.prototype as unknown as { toJSON?: () => string };
    proto.toJSON = () => 'hijacked';
    try {
      expect(JSON.parse(pack('demo', [ev(1)], 0)[0]!.body).events).toEqual([ev(1)]);
    } finally {
      delete proto.toJSON;
    }
  });
});
