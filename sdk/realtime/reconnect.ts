/**
 * When and how soon the SDK reconnects (docs/realtime.md, close codes in realtime.proto): pure functions, so
 * the policy is tested apart from sockets.
 */
export interface BackoffOptions {
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Close codes after which reconnecting with the same credential cannot help (proto: 4400, 4403, 1009). */
const FINAL_CODES = new Set([4400, 4403, 1009]);

export function shouldReconnect(input: {
  code: number;
  /** The server's Disconnect advice, when it sent one. */
  advice: boolean | undefined;
  /** The token is a function that may bring a fresh credential. */
  refreshableToken: boolean;
  enabled: boolean;
}): boolean {
  if (!input.enabled) return false;
  // 4401 (expired or refused credential) is worth a retry only when the token function can bring a new one.
  if (input.code === 4401) return input.refreshableToken;
  return !FINAL_CODES.has(input.code) && input.advice !== false;
}

/**
 * Exponential backoff with jitter: the attempt's ceiling doubles from minDelayMs up to maxDelayMs, and the delay
 * is drawn from its upper half, so clients dropped together do not come back together. A server shutting down
 * (4000) is left alone twice as long.
 */
export function reconnectDelay(
  attempt: number,
  code: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { minDelayMs = 250, maxDelayMs = 10_000 } = options;
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** attempt) * (code === 4000 ? 2 : 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
