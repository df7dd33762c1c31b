import { parseRetryAfter } from './retry.js';

/** Heimdall's error body (docs/api.md, "Errors"): `{"error":{"code","message","details?","requestId"}}`. */
interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

const isErrorBody = (body: unknown): body is ErrorBody => {
  const error = (body as { error?: unknown } | null)?.error as ErrorBody['error'] | undefined;
  return typeof error?.code === 'string' && typeof error.message === 'string';
};

/** What the token endpoint answers when it refuses (RFC 6749 §5.2). */
const isOAuthErrorBody = (body: unknown): body is { error: string; error_description?: string } =>
  typeof (body as { error?: unknown } | null)?.error === 'string';

export interface HeimdallApiErrorInit {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  requestId?: string | undefined;
  retryAfterSeconds?: number | undefined;
}

/**
 * Heimdall answered, and not with success. `code` is the API's stable code (`auth.forbidden`,
 * `rate_limit.exceeded`…; the token endpoint's OAuth error, such as `invalid_client`, when getting a client
 * credentials token failed), what code should branch on; `message` is for people and may change.
 */
export class HeimdallApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** The request's id in Heimdall's logs: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** From Retry-After, when the answer had one (429, 503): how long to wait before trying again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: HeimdallApiErrorInit) {
    super(init.message);
    this.name = 'HeimdallApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /**
   * The error for a response that is not a success, with its body already read (JSON when it was, else text).
   * An answer that is not Heimdall's shape (a proxy's error page) gets the code `http.<status>`.
   */
  static fromResponse(response: Response, body: unknown, nowMs = Date.now()): HeimdallApiError {
    const common = {
      status: response.status,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), nowMs),
    };
    const headerId = response.headers.get('x-request-id') ?? undefined;
    if (isErrorBody(body)) {
      const { code, message, details, requestId } = body.error;
      return new HeimdallApiError({ ...common, code, message, details, requestId: headerId ?? requestId });
    }
    if (isOAuthErrorBody(body)) {
      const message = body.error_description ?? `The token endpoint refused: ${body.error}.`;
      return new HeimdallApiError({ ...common, code: body.error, message, requestId: headerId });
    }
    const message = `Heimdall answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
    return new HeimdallApiError({ ...common, code: `http.${response.status}`, message, requestId: headerId });
  }
}

/** Heimdall could not be reached, or the connection failed before an answer came: nothing was answered. */
export class HeimdallNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HeimdallNetworkError';
  }
}
