import { UpstreamError, type UpstreamFailure } from '../types.js';

/**
 * What every OAuth 2.0 callback is checked for before anything is sent upstream. An error answer is reported as
 * such (RFC 6749 §4.1.2.1); an answer without exactly the state this browser was given is not to this request
 * and its code is never redeemed (§10.12: cross-site request forgery); a parameter given twice is not trusted.
 */
export function codeFromCallback(provider: string, callback: URLSearchParams, expectedState: string): string {
  const error = callback.get('error');
  if (error !== null) {
    throw new UpstreamError(errorReason(error), `${provider} answered with the error ${wording(error)}`);
  }
  const state = only(callback, 'state');
  if (state === undefined || state !== expectedState) {
    throw new UpstreamError('state_mismatch', `the answer from ${provider} is not to this sign-in`);
  }
  const code = only(callback, 'code');
  if (!code) throw new UpstreamError('invalid_response', `${provider} answered without a code`);
  return code;
}

/** The value of a parameter given exactly once. */
export function only(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/** The provider failing is not the person saying no (RFC 6749 §4.1.2.1); any other error is taken as a no. */
function errorReason(error: string): UpstreamFailure {
  return error === 'server_error' || error === 'temporarily_unavailable' ? 'unavailable' : 'access_denied';
}

/** A provider's error code, fit to be logged: anything else in that parameter is someone else's text. */
export const wording = (code: string): string => (/^[\w.:-]{1,64}$/.test(code) ? code : '(unreadable)');
