import type { Request } from 'express';
import type { AuthContext } from '../../core/auth/context.js';
import { AppError } from '../../core/errors/index.js';
import type { Actor } from '../../core/shared/actor.js';
import type { PendingSignIn } from './heimdall-id-client.js';

/** Who is signed in to the panel, as AdminJS sees them (`currentAdmin`, also sent to the browser). */
export interface PanelUser {
  id: string;
  email: string;
  title: string;
}

/** What the panel keeps about the sign-in, on the server only. */
export interface PanelSignIn {
  /** SHA-256 of the Heimdall session token the person signed in with: the panel lives as long as it does. */
  sessionHash: string;
  /** For RP-initiated logout (`id_token_hint`). */
  idToken: string;
  /** The refresh token, sealed with the secrets key (context `admin-refresh:<user id>`). */
  refreshToken: string | null;
  signedInAt: number;
}

declare module 'express-session' {
  interface SessionData {
    adminUser?: PanelUser;
    signIn?: PanelSignIn;
    pending?: PendingSignIn;
    csrf?: string;
  }
}

/** Why a sign-in to the panel did not go through: the keys of the messages the sign-in page shows (admin/locales/). */
export const SIGN_IN_ERRORS = [
  'signInCancelled',
  'signInExpired',
  'signInFailed',
  'heimdallSessionMissing',
  'accountBanned',
  'sessionEnded',
  'twoFactorRequired',
  'noBackendAccess',
] as const;
export type SignInError = (typeof SIGN_IN_ERRORS)[number];

/**
 * Why a person may not use the panel now, or undefined when they may: the `backend:access` permission, and a
 * second factor in this Heimdall session when one of their roles requires it.
 */
export type Refusal = Extract<SignInError, 'twoFactorRequired' | 'noBackendAccess'>;

export function refusal(auth: AuthContext): Refusal | undefined {
  if (auth.blockedByTwoFactor) return 'twoFactorRequired';
  if (!auth.can('backend', 'access')) return 'noBackendAccess';
  return undefined;
}

/**
 * Why the Heimdall session a panel session stands on no longer counts, from the authenticator's refusal;
 * undefined for an error that is no refusal (the database away), which the caller passes on.
 */
export function endedBecause(err: unknown): SignInError | undefined {
  if (!(err instanceof AppError) || err.status >= 500) return undefined;
  return err.code === 'auth.account_banned' ? 'accountBanned' : 'sessionEnded';
}

/**
 * The Actor behind each panel request, keyed by the request's `currentAdmin` object (AdminJS hands the same
 * object to every action, resource call and page handler of the request, and a new one to the next request).
 */
const actors = new WeakMap<object, Actor>();

export function bindActor(user: PanelUser, auth: AuthContext, req: Request): void {
  actors.set(user, { auth, ip: req.ip, userAgent: req.get('user-agent'), source: 'admin' });
}

export function actorOf(currentAdmin: unknown): Actor | undefined {
  return currentAdmin && typeof currentAdmin === 'object' ? actors.get(currentAdmin) : undefined;
}
