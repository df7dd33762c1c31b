import type { AuthInvalidation } from './auth-cache.js';
import type { AuthContext } from './context.js';

/**
 * Whether an auth invalidation concerns a long-lived connection that authenticated as `auth` (realtime, GraphQL
 * over WebSocket): such a connection checks its credential again and closes if it no longer holds. Judged by
 * what the credential is: an API key, a session, or a Heimdall ID access token (issued to a client; a person's
 * within a grant). Connections it does not concern are left alone, however many there are.
 */
export function concernsConnection(event: AuthInvalidation, auth: AuthContext): boolean {
  switch (event.type) {
    case 'all':
      return true;
    case 'key':
      return auth.apiKey?.id === event.keyId;
    case 'user':
      // A person, or what acts for them: their keys, sessions and tokens, a machine client's owner.
      return auth.user?.id === event.userId;
    case 'session':
      return auth.sessionId === event.sessionId;
    case 'oauth_client':
      return !!auth.oauthClientId && auth.oauthClientId === event.clientId;
    case 'grants_revoked':
      return !!auth.oauthClientId && (event.userId === null || auth.user?.id === event.userId);
  }
}
