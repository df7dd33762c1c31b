import type { Locale } from 'adminjs';
import { de } from './de.js';
import { en } from './en.js';

/**
 * The panel in English and German. AdminJS brings its own words for its buttons and notices; these are the
 * panel's: names of pages and fields, actions, and messages. The browser's language decides (AdminJS's
 * language detection), English otherwise.
 */
export const panelLocale: Locale = {
  language: 'en',
  availableLanguages: ['en', 'de'],
  localeDetection: true,
  translations: { en, de },
};
