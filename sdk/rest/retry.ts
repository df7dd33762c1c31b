/**
 * When and how soon the REST client sends a request again (docs/sdk.md): pure functions, so the policy is tested
 * apart from fetch and timers.
 */
export interface RetryOptions {
  /** Sends of one request in all, the first included; 1 never retries. Default 3. */
  maxAttempts?: number;
  /**
   * The longest the client waits before sending again. A Retry-After asking for longer ends the retries at once:
   * the error then carries `retryAfterSeconds` for the caller to plan with. Default 30 s.
   */
  maxDelayMs?: number;
  /** Without a Retry-After the wait is drawn below a ceiling that starts here and doubles. Default 500 ms. */
  baseDelayMs?: number;
  /**
   * The methods retried. Default GET, HEAD, OPTIONS, PUT and DELETE, which the API may safely see twice; add
   * POST or PATCH only where doing it twice does no harm.
   */
  methods?: readonly string[];
}

export type RetryPolicy = Required<Omit<RetryOptions, 'methods'>> & { methods: ReadonlySet<string> };

/** Answers worth waiting out: the rate limit, and a service that is briefly unavailable. */
const RETRIED_STATUSES = new Set([429, 503]);

/** A number option, with its default where it is missing or not a finite number (NaN would never stop). */
const finite = (value: number | undefined, fallback: number, min: number): number =>
  Math.max(min, Number.isFinite(value) ? (value as number) : fallback);

export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { ...retryPolicy({}), maxAttempts: 1 };
  return {
    maxAttempts: Math.floor(finite(options?.maxAttempts, 3, 1)),
    maxDelayMs: finite(options?.maxDelayMs, 30_000, 0),
    baseDelayMs: finite(options?.baseDelayMs, 500, 0),
    methods: new Set(
      (options?.methods ?? ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']).map((m) => m.toUpperCase()),
    ),
  };
}

/** The HTTP date every server sends (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Retry-After as whole seconds from `nowMs`: delay-seconds as they are, an HTTP date as the time left until it
 * (0 once past). Undefined when absent or unreadable, so the caller backs off on its own instead.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim() ?? '';
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  // Date.parse alone would read almost anything as some date; only the HTTP date's own form gets that far.
  const at = IMF_FIXDATE.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Whether requests of `method` may be sent again at all. */
export const retriesMethod = (policy: RetryPolicy, method: string): boolean =>
  policy.methods.has(method.toUpperCase());

/**
 * How long to wait before sending again after `attempt` sends got `status`, or undefined to stop and hand the
 * answer to the caller. A Retry-After is waited out as asked; without one the wait is exponential backoff
 * with full jitter, so clients refused together do not all come back together.
 */
export function retryDelayMs(
  input: { attempt: number; status: number; retryAfterSeconds: number | undefined },
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (!RETRIED_STATUSES.has(input.status) || input.attempt >= policy.maxAttempts) return undefined;
  if (input.retryAfterSeconds !== undefined) {
    const asked = input.retryAfterSeconds * 1000;
    return asked <= policy.maxDelayMs ? asked : undefined;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, input.attempt - 1));
  return Math.floor(random() * ceiling);
}
