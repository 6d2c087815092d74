import { describe, expect, it } from 'vitest';
import { CURSOR_MAX_AGE_MS, decodeCursor, encodeCursor, filterFingerprint } from '../../../edge/core/cursor';
import { CSV_DECIMALS, csvCell, csvPreamble, csvRow } from '../../../edge/core/csv';

describe('csvCell: spreadsheet-safe', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+49 30 1234', "'+49 30 1234"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "\"'\r=1\""],
    ['Müller, Söhne', '"Müller, Söhne"'],
    ['plain', 'plain'],
  ])('%j → %s', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
  it('keeps numbers as numbers, even negative ones', () => {
    expect(csvCell(-300)).toBe('-300');
    expect(csvCell(null)).toBe('');
    expect(csvRow(['a', 1, null])).toBe('a,1,\r\n');
  });
});

describe('csv numbers and dialects', () => {
  it('rounds numbers to CSV_DECIMALS places, without float noise or -0', () => {
    expect(CSV_DECIMALS).toBe(2);
    expect(csvCell(3793.999080355326)).toBe('3794');
    expect(csvCell(12.345678)).toBe('12.35');
    expect(csvCell(-0.0001)).toBe('0');
    expect(csvCell(0.1 + 0.2)).toBe('0.3');
    expect(csvCell(Number.NaN)).toBe('');
  });
  it('excel: semicolon, decimal comma, CRLF, and quoting of ; instead of ,', () => {
    expect(csvRow(['Müller', 12.345678, -300, null], 'excel')).toBe('Müller;12,35;-300;\r\n');
    expect(csvCell('a;b', 'excel')).toBe('"a;b"');
    expect(csvCell('a,b', 'excel')).toBe('a,b');
    expect(csvCell('=1+2', 'excel')).toBe("'=1+2");
    expect(csvCell('x"; =cmd', 'excel')).toBe('"x""; =cmd"');
  });
  it('only excel starts with a UTF-8 byte order mark', () => {
    expect(csvPreamble('excel')).toBe('\uFEFF');
    expect(csvPreamble('rfc4180')).toBe('');
    expect([...new TextEncoder().encode(csvPreamble('excel') + 'M\u00fc')]).toEqual([0xef, 0xbb, 0xbf, 0x4d, 0xc3, 0xbc]);
  });
});

describe('cursors', () => {
  it('round-trip and reject foreign input', () => {
    const c = { sort: 'score' as const, at: 1_800_000_000_000, value: 3012.5, id: 'ld_x', filters: filterFingerprint({ stage: 'mql' }) };
    expect(decodeCursor(encodeCursor(c), c.at + 1000)).toEqual(c);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(btoa('["x",1,2,"a","f"]'))).toBeNull();
  });
  it('refuse snapshot times the scores cannot be computed at', () => {
    const now = 1_800_000_000_000;
    const at = (t: number) => decodeCursor(encodeCursor({ sort: 'updated', at: t, value: 1, id: 'ld_x', filters: 'f' }), now);
    expect(at(now - CURSOR_MAX_AGE_MS)).not.toBeNull();
    expect(at(now - CURSOR_MAX_AGE_MS - 1)).toBeNull();
    expect(at(now + 60_000)).not.toBeNull();
    expect(at(now + 24 * 3600_000)).toBeNull();
    for (const bad of [1e300, -1e16, 8.64e15 + 1, now + 0.5]) expect(at(bad), String(bad)).toBeNull();
  });
  it('fingerprints ignore key order and undefined values', () => {
    expect(filterFingerprint({ a: 1, b: 'x', c: undefined })).toBe(filterFingerprint({ b: 'x', a: 1 }));
    expect(filterFingerprint({ a: 1 })).not.toBe(filterFingerprint({ a: 2 }));
  });
});
