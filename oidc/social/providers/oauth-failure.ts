import * as client from 'openid-client';
import { UpstreamError } from '../types.js';
import { wording } from './callback.js';

/**
 * What an openid-client error means for the flow. The library's errors carry the provider's answer (tokens
 * included) as their cause, so only its error code, the HTTP status and the library's own message are kept.
 */
/** OAuth error codes that blame the client (its id, secret or permissions), not the grant presented. */
const CLIENT_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'incorrect_client_credentials',
]);

export function oauthFailure(provider: string, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  // What our fetch refused (unreachable, 5xx) comes back wrapped by openid-client.
  if (err instanceof Error && err.cause instanceof UpstreamError) return err.cause;
  if (err instanceof client.ClientError && (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT')) {
    return new UpstreamError('unavailable', `${provider} did not answer in time`);
  }
  const status = statusOf(err);
  // RFC 6749 §5.2: a refused code, verifier or refresh token is a 400; asking again gets the same answer, and a
  // stored refresh token is then dead. A refused client (a wrong or rotated secret: 401, invalid_client) says
  // nothing about the grant: the operator fixes the configuration and the tokens work again, so it must never
  // mark them invalid. Providers word the error code their own way; the status is kept.
  if (status !== undefined && status >= 400 && status < 500) {
    const code = err instanceof client.ResponseBodyError ? wording(err.error) : `HTTP ${status}`;
    const clientRefused =
      status === 401 ||
      status === 403 ||
      (err instanceof client.ResponseBodyError && CLIENT_ERRORS.has(err.error));
    return clientRefused
      ? new UpstreamError('unavailable', `${provider} refused Heimdall's client: ${code}`)
      : new UpstreamError('invalid_grant', `${provider} refused the grant: ${code}`);
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
