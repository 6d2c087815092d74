import { describe, expect, it } from 'vitest';
import { renderNurtureMail } from '../../../edge/core/mail/nurture-mail';

const input = {
  lang: 'en' as const,
  siteName: 'Acme & Co <Sales>',
  subject: 'News for {{firstName | "you"}} from {{siteName}}',
  body: 'Hello {{firstName}},\n\nread [the update](https://acme.example/update).',
  vars: { firstName: 'Zoë', magnetTitle: 'Guide' },
  link: (_url: string, index: number) => `https://edge.example/v1/click?i=${index}&sig=x`,
  unsubscribeUrl: 'https://edge.example/v1/optin/withdraw?s=demo&l=ld_x&sig=y&lang=en',
};

describe('nurture mail', () => {
  it('wraps the template in the mail layout, with the site name from the input', () => {
    const { subject, html, text, links } = renderNurtureMail(input);
    expect(subject).toBe('News for Zoë from Acme & Co <Sales>');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<title>News for Zoë from Acme &amp; Co &lt;Sales&gt;</title>');
    expect(html).toContain('<p>Hello Zoë,</p>');
    expect(html).toContain('<a href="https://edge.example/v1/click?i=0&amp;sig=x" style="color:#0b57d0">the update</a>');
    expect(html).not.toContain('<Sales>');
    expect(text).toMatch(/^Hello Zoë,\n\nread the update \(https:\/\/edge\.example\/v1\/click\?i=0&sig=x\)\.\n\n--\n/);
    expect(links).toEqual(['https://acme.example/update']);
  });

  it('says why in English and links the unsubscribe page in both parts', () => {
    const { html, text } = renderNurtureMail(input);
    const why = 'You receive this e-mail from Acme & Co <Sales> because you agreed to receive information by e-mail.';
    expect(text.endsWith(`--\n${why}\nUnsubscribe: ${input.unsubscribeUrl}\n`)).toBe(true);
    expect(html).toContain(
      '<p style="font-size:12px;color:#52525b">You receive this e-mail from Acme &amp; Co &lt;Sales&gt; because you agreed to receive information by e-mail. ' +
        '<a href="https://edge.example/v1/optin/withdraw?s=demo&amp;l=ld_x&amp;sig=y&amp;lang=en" style="color:#0b57d0">Unsubscribe</a></p>',
    );
  });

  it('speaks German, formally', () => {
    const { html, text } = renderNurtureMail({ ...input, lang: 'de', siteName: 'Acme' });
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Sie erhalten diese E-Mail von Acme, weil Sie eingewilligt haben, Informationen per E-Mail zu erhalten.');
    expect(html).toMatch(/<a href="[^"]+withdraw[^"]+" style="color:#0b57d0">Abmelden<\/a>/);
    expect(text).toContain(`\nAbmelden: ${input.unsubscribeUrl}\n`);
    expect(text).not.toContain('Unsubscribe');
  });

  it('offers RFC 8058 one-click unsubscribe', () => {
    expect(renderNurtureMail(input).headers).toEqual({
      'List-Unsubscribe': `<${input.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('keeps values out of markup and the subject on one line', () => {
    const firstName = '<script>x</script>\r\nBcc: victim@example.com';
    const { subject, html, text } = renderNurtureMail({ ...input, vars: { firstName } });
    expect(subject).toBe('News for <script>x</script> Bcc: victim@example.com from Acme & Co <Sales>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<title>News for &lt;script&gt;x&lt;/script&gt; Bcc: victim@example.com from Acme &amp; Co &lt;Sales&gt;</title>');
    expect(text).toMatch(/^Hello <script>x<\/script> Bcc: victim@example\.com,\n/);
  });

  it('lets the template name the site differently when asked', () => {
    expect(renderNurtureMail({ ...input, vars: { siteName: 'Acme Blog' } }).subject).toBe('News for you from Acme Blog');
  });
});
