import * as client from 'openid-client';
import { UpstreamError } from '../types.js';
import { wording } from './callback.js';

/**
 * What an openid-client error means for the flow. The library's errors carry the provider's answer (tokens
 * included) as their cause, so only its error code, the HTTP status and the library's own message are kept.
 */
export function oauthFailure(provider: string, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  // What our fetch refused (unreachable, 5xx) comes back wrapped by openid-client.
  if (err instanceof Error && err.cause instanceof UpstreamError) return err.cause;
  if (err instanceof client.ClientError && (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT')) {
    return new UpstreamError('unavailable', `${provider} did not answer in time`);
  }
  const status = statusOf(err);
  // RFC 6749 §5.2: a refused code, verifier or refresh token (invalid_grant) or client (invalid_client) is a 400
  // or 401; asking again gets the same answer. Providers word the error code their own way, the status is kept.
  if (status !== undefined && status >= 400 && status < 500) {
    const code = err instanceof client.ResponseBodyError ? wording(err.error) : `HTTP ${status}`;
    return new UpstreamError('invalid_grant', `${provider} refused the grant: ${code}`);
  }
  const what =
    err instanceof client.ClientError ? `${err.code ?? 'error'}: ${err.message}` : 'unexpected error';
  return new UpstreamError(
    'invalid_response',
    `${provider} answered in a way that does not check out (${what})`,
  );
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof client.ResponseBodyError) return err.status;
  if (err instanceof client.WWWAuthenticateChallengeError) return err.response.status;
  if (err instanceof client.ClientError && err.cause instanceof Response) return err.cause.status;
  return undefined;
}
