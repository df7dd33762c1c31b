import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/**
 * What makes a password acceptable (issue 7): a minimum length and zxcvbn-ts's estimate, which knows the common
 * and breached-password patterns (dictionaries, keyboard walks, dates, l33t) and the person's own username and
 * email. Score 3 of 4 ("safely unguessable: moderate protection from offline slow-hash scenario") is required.
 */
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
});

export const MIN_SCORE = 3;

export type PasswordVerdict = { ok: true } | { ok: false; reason: 'too_short' | 'too_weak' };

export function judgePassword(
  password: string,
  options: { minLength: number; personal: readonly string[] },
): PasswordVerdict {
  if (password.length < options.minLength) return { ok: false, reason: 'too_short' };
  // Very long passphrases are strong and costly to analyse; zxcvbn's estimate is only needed below that.
  if (password.length >= 64) return { ok: true };
  const result = zxcvbn.check(password, [...options.personal]);
  return result.score >= MIN_SCORE ? { ok: true } : { ok: false, reason: 'too_weak' };
}
