import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * What makes a password acceptable: a minimum length and zxcvbn-ts's estimate, which knows the common
 * and breached-password patterns (dictionaries, keyboard walks, dates, l33t) and the person's own username and
 * email. Score 3 of 4 ("safely unguessable: moderate protection from offline slow-hash scenario") is required.
 */
export const MIN_SCORE = 3;

export type PasswordVerdict = { ok: true } | { ok: false; reason: 'too_short' | 'too_weak' };

// Loaded on first use: the dictionaries take a quarter of a second to load, which every process would pay at
// start-up though only registration and password changes need them.
let zxcvbn: Promise<ZxcvbnFactory> | undefined;
const estimator = () =>
  (zxcvbn ??= (async () => {
    const [{ ZxcvbnFactory }, common, english] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
    });
  })());

export async function judgePassword(
  password: string,
  options: { minLength: number; personal: readonly string[] },
): Promise<PasswordVerdict> {
  if (password.length < options.minLength) return { ok: false, reason: 'too_short' };
  // Very long passphrases are strong and costly to analyse; zxcvbn's estimate is only needed below that.
  if (password.length >= 64) return { ok: true };
  const result = (await estimator()).check(password, [...options.personal]);
  return result.score >= MIN_SCORE ? { ok: true } : { ok: false, reason: 'too_weak' };
}
