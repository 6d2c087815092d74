import { describe, expect, it } from 'vitest';
import { checkTemplate, renderTemplate, TEMPLATE_VARIABLES, type TemplateVars } from '../../../../edge/core/nurture/template';

const track = (url: string, index: number) => `https://t.example/c/${index}`;

function render(body: string, vars: TemplateVars = {}, subject = 'Hello') {
  const seen: [string, number][] = [];
  const out = renderTemplate({ subject, body, vars, link: (url, i) => (seen.push([url, i]), track(url, i)) });
  return { ...out, seen };
}

const HOSTILE = ['<script>alert(1)</script>', '**bold**', '[x](https://evil.example)', '{{company}}', '<img src=https://evil.example/p.gif>'];

describe('variables', () => {
  it('puts values in, and a fallback or the empty default when a value is missing or blank', () => {
    const body = 'Hi {{firstName}} from {{ company | "your team" }}, about {{magnetTitle}} on {{siteName}}.';
    expect(render(body, { firstName: 'Zoë', company: 'Acme', magnetTitle: 'The Guide', siteName: 'Acme Site' }).text).toBe(
      'Hi Zoë from Acme, about The Guide on Acme Site.\n',
    );
    expect(render(body, { firstName: null, company: '   ', magnetTitle: 'G', siteName: 'S' }).text).toBe('Hi from your team, about G on S.\n');
    expect(render('{{firstName | "there"}}', { firstName: '' }).text).toBe('there\n');
  });

  it('closes the gap an empty variable leaves', () => {
    expect(render('Hello {{firstName}}, welcome!').text).toBe('Hello, welcome!\n');
    expect(render('Dear {{firstName}} and {{company}} team').text).toBe('Dear and team\n');
    expect(render('{{firstName}} welcome').text).toBe('welcome\n');
    expect(render('Thanks {{firstName}}.').html).toBe('<p>Thanks.</p>');
    expect(render('x', {}, 'Hi {{firstName}}, news from {{siteName}}').subject).toBe('Hi, news from');
  });

  it('substitutes the subject as plain text, on one line', () => {
    const { subject } = render('x', { firstName: 'A\r\nBcc: victim@example.com\u0000', company: '<b>Acme</b>' }, 'Hi {{firstName}} at {{company}}');
    expect(subject).toBe('Hi A Bcc: victim@example.com at <b>Acme</b>');
    expect(subject).not.toMatch(/[\r\n\u0000]/);
  });

  it('leaves unknown and malformed variables as text when rendered anyway', () => {
    expect(render('{{nope}} {{firstName | there}}', { firstName: 'Zoë' }).text).toBe('{{nope}} {{firstName | there}}\n');
  });
});

describe('checkTemplate', () => {
  it('accepts a good template', () => {
    expect(checkTemplate('Hi {{ firstName | "there" }}, **{{magnetTitle}}** is here: [read](https://acme.example/x) or <mailto:a@acme.example>', 'body')).toEqual([]);
    expect(checkTemplate('News for {{company}}', 'subject')).toEqual([]);
  });

  it('names an unknown variable and lists the known ones', () => {
    const [problem, ...rest] = checkTemplate('Hi {{lastName}}', 'body');
    expect(rest).toEqual([]);
    expect(problem).toContain('lastName');
    for (const name of TEMPLATE_VARIABLES) expect(problem).toContain(name);
    expect(checkTemplate('Hi {{FirstName}}', 'subject')).toHaveLength(1);
  });

  it('refuses malformed braces and fallbacks', () => {
    expect(checkTemplate('Hi {{firstName', 'body')).toEqual([expect.stringContaining('without a matching "}}"')]);
    expect(checkTemplate('Hi {{ {{firstName}}', 'subject')).toEqual([expect.stringContaining('without a matching "}}"')]);
    expect(checkTemplate('Hi {{firstName | there}}', 'body')).toEqual([expect.stringMatching(/^malformed variable/)]);
    expect(checkTemplate('Hi {{first name}}', 'body')).toEqual([expect.stringMatching(/^malformed variable/)]);
    expect(checkTemplate(`Hi {{firstName | "${'x'.repeat(61)}"}}`, 'body')).toEqual([expect.stringContaining('longer than 60')]);
    expect(checkTemplate(`Hi {{firstName | "${'x'.repeat(60)}"}}`, 'body')).toEqual([]);
  });

  it('refuses links that are not http(s) or mailto', () => {
    for (const body of ['[click](javascript:alert(1))', '<javascript:alert(1)>', '[x](data:text/html,hi)', '[rel](/pricing)', '[x](//evil.example)']) {
      expect(checkTemplate(body, 'body'), body).toEqual([expect.stringContaining('http(s) or mailto')]);
    }
    expect(checkTemplate('[ok](HTTPS://acme.example) <https://acme.example> www.acme.example [m](mailto:a@acme.example)', 'body')).toEqual([]);
  });

  it('refuses a link longer than a click link carries', () => {
    const at = (n: number) => `https://acme.example/${'a'.repeat(n - 'https://acme.example/'.length)}`;
    expect(checkTemplate(`[long](${at(2049)})`, 'body')).toEqual([expect.stringContaining('at most 2048 characters')]);
    expect(checkTemplate(`[fits](${at(2048)})`, 'body')).toEqual([]);
  });

  it('refuses a variable inside a link URL', () => {
    for (const body of ['[x](https://acme.example/?n={{firstName}})', 'https://acme.example/{{company}}', '[r]\n\n[r]: https://acme.example/{{firstName}}']) {
      expect(checkTemplate(body, 'body'), body).toEqual([expect.stringContaining('cannot contain a variable')]);
    }
    expect(checkTemplate('[Hi {{firstName}}](https://acme.example/)', 'body')).toEqual([]);
  });

  it('refuses raw HTML in the body, block or inline', () => {
    for (const body of ['<div>hi</div>', 'a <b>b</b>', '<!-- note -->', '<img src="https://t.example/p.gif">']) {
      expect(checkTemplate(body, 'body'), body).toEqual([expect.stringContaining('raw HTML is not allowed; write Markdown')]);
    }
    expect(checkTemplate('a < b and 3 > 2', 'body')).toEqual([]);
    // In a code span it is text, not HTML.
    expect(checkTemplate('`<b>`', 'body')).toEqual([]);
  });

  it('bounds the subject to one line of 150 characters and the body to 20,000', () => {
    expect(checkTemplate('x'.repeat(150), 'subject')).toEqual([]);
    expect(checkTemplate('x'.repeat(151), 'subject')).toEqual([expect.stringContaining('150')]);
    expect(checkTemplate('a\nb', 'subject')).toEqual([expect.stringContaining('one line')]);
    expect(checkTemplate('a\rb', 'subject')).toEqual([expect.stringContaining('one line')]);
    expect(checkTemplate('x'.repeat(20_000), 'body')).toEqual([]);
    expect(checkTemplate('x'.repeat(20_001), 'body')).toEqual([expect.stringContaining('20000')]);
  });
});

describe('Markdown', () => {
  it('renders blocks and inline markup to HTML and to text', () => {
    const body = [
      '# Welcome',
      '',
      'Some *em*, **strong** and `code`.',
      'A new line.',
      '',
      '- one',
      '- two',
      '',
      '3. three',
      '4. four',
      '',
      '> quoted',
      '',
      '```',
      'x < y',
      '```',
    ].join('\n');
    const { html, text } = render(body);
    expect(html).toContain('<h1 style="margin:24px 0 8px;font-size:22px;line-height:1.3">Welcome</h1>');
    expect(html).toContain('<em>em</em>, <strong>strong</strong> and <code');
    expect(html).toContain('.<br>A new line.</p>');
    expect(html).toMatch(/<ul [^>]*>\n<li>one<\/li>\n<li>two<\/li>\n<\/ul>/);
    expect(html).toMatch(/<ol start="3" [^>]*>/);
    expect(html).toMatch(/<blockquote [^>]*>\n<p>quoted<\/p>\n<\/blockquote>/);
    expect(html).toContain('<code>x &lt; y</code></pre>');
    expect(text).toBe('Welcome\n\nSome em, strong and code.\nA new line.\n\n- one\n- two\n\n3. three\n4. four\n\n> quoted\n\nx < y\n');
  });

  it('shows images as their alt text only: nothing remote is fetched', () => {
    const { html, text, seen } = render('Look: ![our chart](https://t.example/pixel.gif?lead=1)');
    expect(html).toBe('<p>Look: our chart</p>');
    expect(html).not.toMatch(/<img|pixel\.gif/);
    expect(text).toBe('Look: our chart\n');
    expect(seen).toEqual([]);
  });

  it('shows raw HTML escaped if rendered anyway, never as markup', () => {
    const { html, text } = render('<div onclick="x()">hi</div>\n\nand <script>alert(1)</script> <img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<(div|script|img)\b/);
    expect(html).toContain('&lt;div onclick=&quot;x()&quot;&gt;hi&lt;/div&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('renders a refused link as its text', () => {
    const { html, text } = render('[click](javascript:alert(1)) <javascript:alert(2)>');
    expect(html).not.toContain('<a');
    expect(html).not.toContain('javascript:alert(1)');
    expect(text).toBe('click javascript:alert(2)\n');
  });

  it('shows character references the same way in both parts, and never as markup', () => {
    const { html, text } = render('Tom &amp; Jerry &#60;b&#62; &copy;');
    expect(html).toBe('<p>Tom &amp; Jerry &lt;b&gt; &amp;copy;</p>');
    expect(text).toBe('Tom & Jerry <b> &copy;\n');
  });
});

describe('values are data, never markup', () => {
  it.each(HOSTILE)('%s stays literal in html, text and subject', (value) => {
    const { html, text, subject, seen } = render('Hi **{{firstName}}**, see [us](https://acme.example/) and `{{firstName}}`', { firstName: value, company: 'ACME' }, 'Hi {{firstName}}');
    const escaped = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    expect(html).toContain(`<strong>${escaped}</strong>`);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('evil.example"');
    expect(html).not.toContain('ACME');
    expect(text).toBe(`Hi ${value}, see us (https://t.example/c/0) and ${value}\n`);
    expect(subject).toBe(`Hi ${value}`);
    expect(seen).toEqual([['https://acme.example/', 0]]);
  });

  it('takes control characters and line breaks out of values in text', () => {
    const { text } = render('Hi {{firstName}}!\n\n# {{company}}', { firstName: 'A\nB\u0007C', company: 'X\r\n- not a list' });
    expect(text).toBe('Hi A B C!\n\nX - not a list\n');
  });

  it('does not let a placeholder character or reference in the template pick up a value', () => {
    const { text } = render('a\ue000b &#xe000; {{company}}', { firstName: 'F', company: 'C' });
    expect(text).toBe('ab \ufffd C\n');
  });
});

describe('links', () => {
  it('passes each distinct http(s) URL through link once, in order of first appearance', () => {
    const body = 'See [pricing](https://acme.example/pricing?a=1&b=2), [docs](https://acme.example/docs), <https://acme.example/pricing?a=1&b=2> and www.acme.example.';
    const { html, text, links, seen } = render(body);
    expect(links).toEqual(['https://acme.example/pricing?a=1&b=2', 'https://acme.example/docs', 'http://www.acme.example']);
    expect(seen).toEqual(links.map((url, i) => [url, i]));
    expect(html).toContain('<a href="https://t.example/c/0" style="color:#0b57d0">pricing</a>');
    expect(html).toContain('<a href="https://t.example/c/1" style="color:#0b57d0">docs</a>');
    expect(html.match(/href="https:\/\/t\.example\/c\/0"/g)).toHaveLength(2);
    expect(html).toContain('<a href="https://t.example/c/2" style="color:#0b57d0">www.acme.example</a>');
    expect(html).not.toMatch(/href="https:\/\/acme\.example/);
    expect(html).not.toMatch(/href="http:\/\/www/);
    expect(text).toBe('See pricing (https://t.example/c/0), docs (https://t.example/c/1), https://t.example/c/0 and https://t.example/c/2.\n');
    expect(text).not.toContain('acme.example/pricing');
  });

  it('keeps mailto links as they are and does not pass them to link', () => {
    const { html, text, links, seen } = render('Write to [sales](mailto:sales@acme.example) or sales@acme.example.');
    expect(seen).toEqual([]);
    expect(links).toEqual([]);
    expect(html).toContain('<a href="mailto:sales@acme.example" style="color:#0b57d0">sales</a>');
    expect(html).toContain('<a href="mailto:sales@acme.example" style="color:#0b57d0">sales@acme.example</a>');
    expect(text).toBe('Write to sales (sales@acme.example) or sales@acme.example.\n');
  });

  it('escapes the rewritten URL', () => {
    const { html } = renderTemplate({ subject: 's', body: '[x](https://acme.example/)', vars: {}, link: () => 'https://t.example/?a=1&b="2"' });
    expect(html).toBe('<p><a href="https://t.example/?a=1&amp;b=&quot;2&quot;" style="color:#0b57d0">x</a></p>');
  });

  it('never puts a value into a URL, even when rendered unchecked', () => {
    const { html, links } = render('[x](https://acme.example/?n={{firstName}})', { firstName: 'evil' });
    expect(links).toEqual(['https://acme.example/?n=']);
    expect(html).not.toContain('evil');
  });
});
