import { describe, expect, it } from 'vitest';
import { normalizeOrigin, raw, sanitize, table, visible } from '../../../cli/text.mjs';

describe('visible', () => {
  it('shows C0, DEL, C1 and lone surrogates as escapes, and leaves text alone', () => {
    expect(visible('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(visible('\u001b]0;title\u0007')).toBe('\\x1b]0;title\\x07');
    expect(visible('\u009b31m\u007f\u0000\n\t')).toBe('\\u009b31m\\x7f\\x00\\x0a\\x09');
    expect(visible('x\ud800y\udfffz')).toBe('x\\ud800y\\udfffz');
    expect(visible('Müller 😀 – ok')).toBe('Müller 😀 – ok');
  });

  it('sanitizes every string of an answer, keys too, and keeps the raw answer for JSON', () => {
    const answer = { events: [{ path: '/\u001bc', n: 1, ok: true, none: null }], ['k\u0007']: 'v' };
    const shown = sanitize(answer);
    expect(shown).toEqual({ events: [{ path: '/\\x1bc', n: 1, ok: true, none: null }], 'k\\x07': 'v' });
    expect(raw(shown)).toBe(answer);
    expect(JSON.stringify(shown)).not.toContain('raw');
    expect(table([['A'], ['\u001b[2J']])).toBe('A\n\\x1b[2J');
  });
});

describe('normalizeOrigin', () => {
  it.each([
    ['https://acme.example/', 'https://acme.example'],
    ['HTTPS://ACME.Example', 'https://acme.example'],
    ['https://acme.example:443', 'https://acme.example'],
    ['http://acme.example:80/', 'http://acme.example'],
    ['http://localhost:8787', 'http://localhost:8787'],
    ['  https://bücher.example ', 'https://xn--bcher-kva.example'],
  ])('%s → %s', (input, origin) => expect(normalizeOrigin(input)).toEqual({ origin }));

  it.each(['acme.example', 'https://acme.example/pricing', 'https://acme.example?x=1', 'https://acme.example#top', 'ftp://acme.example',
    'https://user:pw@acme.example', 'javascript:alert(1)', ''])('refuses %j', (input) => {
    expect(normalizeOrigin(input)).toHaveProperty('error');
  });
});
