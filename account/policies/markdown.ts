import MarkdownIt from 'markdown-it';
import { html, SafeHtml } from '../../core/shared/html.js';

/**
 * Policy texts in markdown, the built-in ones and the operator's files alike. Raw HTML is never passed through
 * (`html: false` escapes it), links and images may only use http(s), mailto and tel (and data: for images),
 * and the inline styles of aligned table cells are dropped: the pages' CSP allows no
 * inline style, and a browser would report each one.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const ALLOWED = /^(https?:|mailto:|tel:|data:image\/(gif|png|jpeg|webp);)/i;
// Stricter than markdown-it's own check, which lets any scheme but four through: a policy links to web pages,
// mail and phone numbers, or to a path here.
md.validateLink = (url) => !SCHEME.test(url.trim()) || ALLOWED.test(url.trim());
md.core.ruler.push('heimdall_no_inline_style', (state) => {
  for (const token of state.tokens) {
    if (token.attrs) token.attrs = token.attrs.filter(([name]) => name !== 'style');
  }
});

export interface RenderedPolicy {
  /** The text of the first level-1 heading, if the text has one. */
  title: string | undefined;
  body: SafeHtml;
}

export function renderMarkdown(source: string): RenderedPolicy {
  const tokens = md.parse(source, {});
  const at = tokens.findIndex((t) => t.type === 'heading_open' && t.tag === 'h1');
  const title = at < 0 ? undefined : (tokens[at + 1]?.children ?? []).map((c) => c.content).join('');
  return {
    title: title?.trim() || undefined,
    body: new SafeHtml(md.renderer.render(tokens, md.options, {})),
  };
}

/** A rendered text under its title: the text's own first heading, else `fallbackTitle` as one. */
export function policyArticle(rendered: RenderedPolicy, fallbackTitle: string): SafeHtml {
  return html`<article class="policy">
    ${rendered.title ? '' : html`<h1>${fallbackTitle}</h1>`} ${rendered.body}
  </article>`;
}

/** Text placed into markdown as itself: every ASCII punctuation mark that markdown could read is escaped. */
export const mdText = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!<>|~"'&:]/g, '\\$&');

/** A link to `href`, whose text is `text` read literally. */
export const mdLink = (text: string, href: string): string => `[${mdText(text)}](<${href}>)`;
