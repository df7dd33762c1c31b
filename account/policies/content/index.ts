import type { Locale } from '../../../core/i18n/locales.js';
import type { PolicyPage } from '../../../schemas/policies.js';
import { cookies } from './cookies.js';
import { faq } from './faq.js';
import { privacy } from './privacy.js';
import { security } from './security.js';
import type { BuiltInPolicy } from './text.js';
import { terms } from './terms.js';

export const BUILT_IN: Record<PolicyPage, BuiltInPolicy> = { privacy, terms, cookies, security, faq };

/** The words around the pages: the index, and the link to the other language. */
export const FRAME: Record<Locale, { index: string; lead: string; language: string; otherLanguage: string }> =
  {
    en: {
      index: 'Policies and help',
      lead: 'How this Heimdall handles your data, its rules, and answers to common questions.',
      language: 'English',
      otherLanguage: 'Deutsch',
    },
    de: {
      index: 'Richtlinien und Hilfe',
      lead: 'Wie dieses Heimdall mit Ihren Daten umgeht, seine Regeln und Antworten auf häufige Fragen.',
      language: 'Deutsch',
      otherLanguage: 'English',
    },
  };
