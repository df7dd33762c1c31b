import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Locale } from '../../core/i18n/locales.js';
import type { PolicyPage } from '../../schemas/policies.js';
import { renderMarkdown, type RenderedPolicy } from './markdown.js';

/** `privacy.md` is English, `privacy.de.md` German. */
const fileName = (page: PolicyPage, locale: Locale) =>
  locale === 'en' ? `${page}.md` : `${page}.${locale}.md`;

const other = (locale: Locale): Locale => (locale === 'en' ? 'de' : 'en');

export interface OperatorPolicy extends RenderedPolicy {
  /** The language the file is written in, which may not be the one asked for. */
  locale: Locale;
}

/**
 * The operator's markdown pages in `dir`. A file is looked at on every request and rendered again only when it
 * changed, so an edited policy is served without a restart. When the page exists only in the other language,
 * that file is served: the operator's text is the one that binds, and the built-in page may say something else.
 */
export function operatorPolicies(dir: string) {
  const rendered = new Map<string, { mtimeMs: number; size: number; page: RenderedPolicy }>();

  async function read(name: string): Promise<RenderedPolicy | undefined> {
    const file = path.join(dir, name);
    const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!info?.isFile()) {
      rendered.delete(name);
      return undefined;
    }
    const known = rendered.get(name);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known.page;
    const page = renderMarkdown(await readFile(file, 'utf8'));
    rendered.set(name, { mtimeMs: info.mtimeMs, size: info.size, page });
    return page;
  }

  return {
    async find(page: PolicyPage, locale: Locale): Promise<OperatorPolicy | undefined> {
      for (const candidate of [locale, other(locale)]) {
        const found = await read(fileName(page, candidate));
        if (found) return { ...found, locale: candidate };
      }
      return undefined;
    },
  };
}

export type OperatorPolicies = ReturnType<typeof operatorPolicies>;
