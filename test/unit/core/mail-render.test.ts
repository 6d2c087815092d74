import { describe, expect, it } from 'vitest';
import { assertHeaderSafe, escapeHtml, headerSafe, textSafe } from '../../../edge/core/mail/escape';
import { renderConfirmationMail, withdrawHeaders } from '../../../edge/core/mail/render';
import { formatSender, parseSender } from '../../../edge/core/mail/sender';
import { MailError, type MailMessage } from '../../../edge/core/mail/types';

const input = {
  lang: 'en' as const,
  siteName: 'Acme & Co <Sales>',
  magnetTitle: 'Guide "2026" <script>alert(1)</script>',
  firstName: 'Zoë',
  confirmUrl: 'https://edge.example/v1/optin/confirm?t=abc&lang=en',
  withdrawUrl: 'https://edge.example/v1/optin/withdraw?s=demo&l=ld_x&sig=y&lang=en',
  validDays: 7,
};

describe('confirmation mail', () => {
  it('escapes every value in the HTML part', () => {
    const { html } = renderConfirmationMail(input);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<Sales>');
    expect(html).toContain('Guide &quot;2026&quot; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Acme &amp; Co &lt;Sales&gt;');
    expect(html).toContain('href="https://edge.example/v1/optin/confirm?t=abc&amp;lang=en"');
    expect(html).toContain('href="https://edge.example/v1/optin/withdraw?s=demo&amp;l=ld_x&amp;sig=y&amp;lang=en"');
    expect(html).toContain('Hello Zoë,');
  });

  it('has both links, the expiry and the withdraw note in the text part', () => {
    const { text, subject } = renderConfirmationMail(input);
    expect(subject).toBe('Confirm your request: Guide "2026" <script>alert(1)</script>');
    expect(text).toContain(input.confirmUrl);
    expect(text).toContain(input.withdrawUrl);
    expect(text).toContain('expires in 7 days');
    expect(text).toMatch(/withdraw your consent at any time/);
  });

  it('speaks German', () => {
    const { subject, text, html } = renderConfirmationMail({ ...input, lang: 'de', firstName: null, validDays: 1 });
    expect(subject).toMatch(/^Bitte bestätigen Sie Ihre Anfrage: /);
    expect(text).toMatch(/^Guten Tag,/);
    expect(text).toContain('1 Tag gültig');
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Einwilligung widerrufen');
  });

  it('keeps header values on one line whatever the title holds', () => {
    const { subject } = renderConfirmationMail({ ...input, magnetTitle: 'A\r\nBcc: victim@example.com\r\n\r\nbody' });
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe('Confirm your request: A Bcc: victim@example.com body');
  });

  it('offers RFC 8058 one-click withdrawal', () => {
    expect(withdrawHeaders(input.withdrawUrl)).toEqual({
      'List-Unsubscribe': `<${input.withdrawUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});

describe('escaping helpers', () => {
  it('escapeHtml covers text and attribute context', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
  it('textSafe and headerSafe remove control characters', () => {
    expect(textSafe('a\r\n\tb\u0000c')).toBe('a b c');
    expect(headerSafe('x'.repeat(300))).toHaveLength(200);
  });
  it('assertHeaderSafe refuses line breaks in any header value or name', () => {
    const ok: MailMessage = { to: 'a@b.co', from: 'x@y.co', subject: 's', text: 't\r\n', html: '<p>', headers: { 'List-Unsubscribe': '<u>' } };
    expect(() => assertHeaderSafe(ok)).not.toThrow();
    for (const bad of <MailMessage[]>[
      { ...ok, to: 'a@b.co\r\nBcc: c@d.co' },
      { ...ok, subject: 's\nBcc: c@d.co' },
      { ...ok, from: 'x@y.co\r' },
      { ...ok, headers: { 'X-A': 'v\r\nBcc: c@d.co' } },
      { ...ok, headers: { 'X-A\r\nBcc': 'v' } },
      { ...ok, headers: { 'X A': 'v' } },
    ]) {
      expect(() => assertHeaderSafe(bad)).toThrow(MailError);
    }
  });
});

describe('sender (MAIL_FROM)', () => {
  it('parses named and bare addresses', () => {
    expect(parseSender('Acme Sales <no-reply@acme.example>')).toEqual({ name: 'Acme Sales', email: 'no-reply@acme.example' });
    expect(parseSender('no-reply@acme.example')).toEqual({ name: '', email: 'no-reply@acme.example' });
    expect(formatSender({ name: 'Acme, Inc.', email: 'a@b.co' })).toBe('"Acme, Inc." <a@b.co>');
    expect(formatSender({ name: 'Acme', email: 'a@b.co' })).toBe('Acme <a@b.co>');
  });
  it.each([undefined, '', 'nobody', 'A <a@b.co>\r\nBcc: c@d.co', 'A <not an address>'])('refuses %j', (raw) => {
    expect(() => parseSender(raw)).toThrow(MailError);
  });
});
