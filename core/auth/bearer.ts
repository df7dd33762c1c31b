import { AppError } from '../errors/index.js';
import type { Authenticator } from './authenticator.js';
import { ANONYMOUS, createAuthContext, type AuthContext } from './context.js';

const anonymous = createAuthContext(ANONYMOUS);
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * `Authorization: Bearer …` → AuthContext, for every transport (HTTP requests, WebSocket connection_init).
 * No credential: the anonymous context. A bad credential: 401 with its own code. Credential kinds plug in here:
 * API keys (`hm_…`), Heimdall ID access tokens (JWTs) and session tokens (`hs_…`).
 */
export async function authenticateBearer(
  authenticator: Authenticator,
  header: string | undefined,
): Promise<AuthContext> {
  if (!header) return anonymous;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new AppError(
      'auth.malformed_credentials',
      401,
      'Use the header "Authorization: Bearer <credential>".',
    );
  }
  const token = match[1]!;
  if (token.startsWith('hm_')) return authenticator.authenticateApiKey(token);
  if (JWT_SHAPE.test(token)) return authenticator.authenticateAccessToken(token);
  if (token.startsWith('hs_')) return authenticator.authenticateSession(token);
  throw new AppError(
    'auth.unsupported_credential',
    401,
    'This kind of bearer credential is not accepted here.',
  );
}
