import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseEmail } from '../../../edge/core/email-address';

describe('normaliseEmail', () => {
  it.each([
    ['  Jane.Doe@Example.COM ', 'Jane.Doe@example.com', 'jane.doe@example.com'],
    ['jane+wp@sub.example.co.uk', 'jane+wp@sub.example.co.uk', 'jane+wp@sub.example.co.uk'],
    ["o'neil@example.org", "o'neil@example.org", "o'neil@example.org"],
    ['info@Bücher.DE', 'info@xn--bcher-kva.de', 'info@xn--bcher-kva.de'],
  ])('accepts %j as %j (key %j)', (input, email, key) => {
    expect(normaliseEmail(input)).toEqual({ ok: true, email, key });
  });

  it.each([
    ['', /empty/],
    ['jane', /e-mail address/],
    ['@example.com', /e-mail address/],
    ['jane@', /e-mail address/],
    ['jane@localhost', /valid domain/],
    ['jane@example', /valid domain/],
    ['jane@-example.com', /valid domain/],
    ['jane@exa_mple.com', /valid domain/],
    ['jane@example.c', /valid domain/],
    ['jane@[127.0.0.1]', /valid domain/],
    ['jane..doe@example.com', /not allowed/],
    ['.jane@example.com', /not allowed/],
    ['"jane doe"@example.com', /spaces|not allowed/],
    ['jane doe@example.com', /spaces/],
    ['jane@example.com\r\nBcc: x@y.z', /line breaks/],
    ['jane<script>@example.com', /not allowed/],
    [`${'a'.repeat(65)}@example.com`, /64 characters/],
    [`a@${'b'.repeat(250)}.com`, /254 characters|valid domain/],
  ])('refuses %j', (input, reason) => {
    const result = normaliseEmail(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('is idempotent, lowercases the domain and never lets a line break or space through', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), fc.string()), (raw) => {
        const first = normaliseEmail(raw);
        if (!first.ok) return;
        expect(first.email).not.toMatch(/[\s\u0000-\u001f<>]/);
        const domain = first.email.slice(first.email.lastIndexOf('@') + 1);
        expect(domain).toBe(domain.toLowerCase());
        expect(first.key).toBe(first.email.toLowerCase());
        expect(normaliseEmail(first.email)).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });
});
