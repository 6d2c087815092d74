import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, hasNoControl, hasNoMarkup, isPersonName } from '../../../edge/core/lead-text';

describe('lead text rules', () => {
  it('control characters, CR and LF included, are detected', () => {
    for (const s of ['a\rb', 'a\nb', 'a\tb', 'a\u0000b', 'a\u2028b', 'a\u0085b']) expect(hasNoControl(s)).toBe(false);
    expect(hasNoControl('Müller & Söhne GmbH')).toBe(true);
  });

  it('angle brackets are markup', () => {
    expect(hasNoMarkup('<b>x</b>')).toBe(false);
    expect(hasNoMarkup('a > b')).toBe(false);
    expect(hasNoMarkup('AT&T "Labs"')).toBe(true);
  });

  it.each(['Jane', 'Jean-Luc', "O'Neil", 'José María', 'Zoë', 'Ægir', 'Дмитрий', '李', 'J. R.'])('%s is a name', (s) => {
    expect(isPersonName(s)).toBe(true);
  });
  it.each(['', ' Jane', 'Jane1', 'http://x', 'a/b', 'x@y', '-Jane'])('%j is not a name', (s) => {
    expect(isPersonName(s)).toBe(false);
  });

  it('cleanText trims, collapses spaces and is idempotent', () => {
    expect(cleanText('  Acme   GmbH  ')).toBe('Acme GmbH');
    expect(cleanText('Cafe\u0301')).toBe('Café');
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(cleanText(cleanText(s))).toBe(cleanText(s));
      }),
    );
  });
});
