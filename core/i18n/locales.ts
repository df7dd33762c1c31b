import { de } from './de.js';
import { en, type Messages } from './en.js';

/**
 * English and German: pages and emails pick the language from the user's preferred_locale, then the
 * browser's Accept-Language, then English. Messages are functions where they take values.
 */
export type Locale = 'en' | 'de';
export const LOCALES: readonly Locale[] = ['en', 'de'];
const CATALOGUES: Record<Locale, Messages> = { en, de };

export const messages = (locale: Locale): Messages => CATALOGUES[locale];

const supported = (tag: string | null | undefined): Locale | undefined => {
  const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((l) => l === base);
};

/** preferred_locale (e.g. "de" or "de-AT") first, then Accept-Language by quality, then English. */
export function pickLocale(preferred: string | null | undefined, acceptLanguage: string | undefined): Locale {
  const own = supported(preferred);
  if (own) return own;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  return 'en';
}

export type { Messages };
