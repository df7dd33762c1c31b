const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Longer than any timeout or ban a platform takes, and far from where milliseconds stop being exact. */
export const MAX_DURATION_MS = 366 * UNIT_MS.d;

const WHOLE = /^(?:\d{1,6}[smhdw])+$/;
const PART = /(\d+)([smhdw])/g;

/**
 * `10m`, `1h`, `7d`, `1h30m` in milliseconds; undefined for anything else, for zero and for more than
 * MAX_DURATION_MS.
 */
export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total > 0 && total <= MAX_DURATION_MS ? total : undefined;
}

/** Milliseconds as the parser takes them back: `1h30m`, `7d`, `45s`; whole seconds, largest units first. */
export function formatDuration(ms: number): string {
  let left = Math.max(1, Math.round(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.join('');
}
