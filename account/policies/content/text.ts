import type { Locale } from '../../../core/i18n/locales.js';
import type { PolicyFacts } from '../settings.js';

/** A built-in page in one language: its title, and its text in markdown from the deployment's facts. */
export interface PolicyText {
  title: string;
  markdown(facts: PolicyFacts): string;
}

export type BuiltInPolicy = Record<Locale, PolicyText>;

const UNITS: Record<Locale, [seconds: number, one: string, many: string][]> = {
  en: [
    [86_400, 'day', 'days'],
    [3600, 'hour', 'hours'],
    [60, 'minute', 'minutes'],
    [1, 'second', 'seconds'],
  ],
  de: [
    [86_400, 'Tag', 'Tage'],
    [3600, 'Stunde', 'Stunden'],
    [60, 'Minute', 'Minuten'],
    [1, 'Sekunde', 'Sekunden'],
  ],
};

/** A configured number of seconds in the largest unit that divides it ("14 days", "90 Minuten"). */
export function duration(seconds: number, locale: Locale): string {
  const [size, one, many] = UNITS[locale].find(([unit]) => seconds % unit === 0) ?? UNITS[locale][3]!;
  const count = seconds / size;
  return `${count} ${count === 1 ? one : many}`;
}

/** A contact URI as a person reads it: the address of a mailto:, the URL otherwise. */
export const contactText = (uri: string): string => (uri.startsWith('mailto:') ? uri.slice(7) : uri);
