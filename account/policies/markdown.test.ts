import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mdLink, mdText, renderMarkdown } from './markdown.js';

/** Everything markdown-it emits for markdown without raw HTML; any other tag got through from the source. */
const TAGS = new Set(
  'p h1 h2 h3 h4 h5 h6 em strong s code pre blockquote ul ol li a img hr br table thead tbody tr th td'.split(
    ' ',
  ),
);
const ATTRIBUTES = new Set(['href', 'src', 'alt', 'title', 'start', 'class']);

const SCHEMES = ['http', 'https', 'mailto', 'tel'];

/** A URL as a browser reads it: control characters and spaces around it do not count. */
function withoutPadding(url: string): string {
  let start = 0;
  let end = url.length;
  while (start < end && url.charCodeAt(start) <= 0x20) start += 1;
  while (end > start && url.charCodeAt(end - 1) <= 0x20) end -= 1;
  return url.slice(start, end);
}

const decode = (value: string) =>
  value
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

/** What makes rendered HTML unsafe on a policy page: foreign tags, handlers, styles, script-running URLs. */
function problems(out: string): string[] {
  const found: string[] = [];
  for (const [, tag = '', attrs = ''] of out.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    if (!TAGS.has(tag.toLowerCase())) found.push(`tag ${tag}`);
    for (const [, name = '', value = ''] of attrs.matchAll(/\s([^\s=]+)="([^"]*)"/g)) {
      if (!ATTRIBUTES.has(name)) found.push(`attribute ${name}`);
      // Browsers drop tabs and newlines anywhere in a URL, and control characters and spaces around it.
      const url = withoutPadding(decode(value).replace(/[\t\n\r]/g, '')).toLowerCase();
      const scheme = /^([a-z][a-z0-9+.-]*):/.exec(url)?.[1];
      const image = /^data:image\/(gif|png|jpeg|webp);/.test(url);
      if ((name === 'href' || name === 'src') && scheme && !SCHEMES.includes(scheme) && !image)
        found.push(`${name} ${url}`);
    }
  }
  return found;
}

/** Markdown and HTML pieces an operator (or an attacker who reached the file) might write, mixed at random. */
const FRAGMENTS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<style>body{display:none}</style>',
  '<iframe src="https://evil.example"></iframe>',
  '<!-- comment -->',
  '<div onclick="x()">',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](<java\tscript:alert(1)>)',
  '[click](vbscript:msgbox)',
  '[click](<\u0001javascript:alert(1)>)',
  '[click](<  javascript:alert(1)>)',
  '[call](tel:+4912345)',
  '<a+:b>',
  '<ftp://example.org>',
  '[click](file:///etc/passwd)',
  '[click](data:text/html;base64,PHNjcmlwdD4=)',
  '![img](data:image/svg+xml,<svg onload=alert(1)>)',
  '![img](https://example.org/a.png "title")',
  '<javascript:alert(1)>',
  '<https://example.org>',
  '[ref]: javascript:alert(1)\n\n[ref]',
  '| a | b |\n|:--|--:|\n| 1 | 2 |',
  '```html\n<script>x</script>\n```',
  '`<b>`',
  '# Title',
  '## Section',
  '> quote',
  '- item\n- item',
  '1. one\n2. two',
  '**bold** _em_ ~~gone~~',
  '&lt;script&gt;',
  '&#60;script&#62;',
  '\\<script>',
  '"\'><svg/onload=alert(1)>',
  '\n\n',
  ' ',
];

const source = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string(), fc.string({ unit: 'grapheme' })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''));

describe('policy markdown', () => {
  it('never lets raw HTML, handlers, inline styles or script URLs through', () => {
    fc.assert(
      fc.property(source, (text) => {
        expect(problems(renderMarkdown(text).body.value)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('renders markdown and shows raw HTML as text', () => {
    const { title, body } = renderMarkdown(
      '# Our **privacy** policy\n\n<b>not bold</b> [home](https://example.org)\n\n| a | b |\n|:--|--:|\n| 1 | 2 |',
    );
    expect(title).toBe('Our privacy policy');
    expect(body.value).toContain('<h1>Our <strong>privacy</strong> policy</h1>');
    expect(body.value).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(body.value).toContain('<a href="https://example.org">home</a>');
    expect(body.value).toContain('<th>b</th>');
    expect(renderMarkdown('[x](javascript:alert(1))').body.value).not.toContain('<a');
    expect(renderMarkdown('no heading').title).toBeUndefined();
  });

  it('places any text into a link as itself', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (text) => {
        const { body } = renderMarkdown(mdLink(text, 'https://example.org/x'));
        const inline = renderMarkdown(`x ${mdText(text)}`).body.value;
        expect(problems(body.value)).toEqual([]);
        expect(body.value.match(/<a /g)).toHaveLength(1);
        expect(inline).not.toMatch(/<(em|strong|code|a|img|s)\b/);
      }),
      { numRuns: 1000 },
    );
  });
});
