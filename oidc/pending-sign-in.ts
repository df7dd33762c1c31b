import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from './csrf.js';

/**
 * Between the password and the second factor the person is nobody yet: who passed the password is
 * kept in a short-lived, HMAC-signed, HttpOnly cookie bound to where the sign-in continues (an OpenID
 * interaction, or the account area). Nothing else is trusted from it.
 */
export interface PendingSignIn {
  userId: string;
  accountId: string;
  /** The interaction uid, or `account` for the account area. */
  for: string;
  /** Where the account area continues after the code. */
  returnTo?: string;
  /** The platform signed in with: `email` (a password) unless an upstream provider vouched for the person. */
  platform?: string;
  /**
   * `code`: the second factor is still due (the default). `done`: an upstream provider signed the person in and
   * no code is due; only the OpenID interaction's completion remains. A `code` cookie never completes a sign-in.
   */
  stage?: 'code' | 'done';
}

const COOKIE = 'heimdall.2fa';
const TTL_SECONDS = 600;

export function createPendingSignIns(options: { key: Buffer; secure: boolean }) {
  const sign = (body: string) => createHmac('sha256', options.key).update(body).digest('base64url');

  return {
    set(res: Response, pending: PendingSignIn): void {
      const body = Buffer.from(JSON.stringify({ ...pending, exp: Date.now() + TTL_SECONDS * 1000 })).toString(
        'base64url',
      );
      res.cookie(COOKIE, `${body}.${sign(body)}`, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secure,
        path: '/',
        maxAge: TTL_SECONDS * 1000,
      });
    },

    /** The pending sign-in for `target` at `stage`, if the cookie is genuine and fresh. */
    get(req: Request, target: string, stage: 'code' | 'done' = 'code'): PendingSignIn | undefined {
      const value = readCookie(req, COOKIE);
      const [body, mac] = value?.split('.') ?? [];
      if (!body || !mac) return undefined;
      const expected = Buffer.from(sign(body));
      const actual = Buffer.from(mac);
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
      const pending = JSON.parse(Buffer.from(body, 'base64url').toString()) as PendingSignIn & {
        exp: number;
      };
      const fresh = pending.exp > Date.now() && pending.for === target;
      return fresh && (pending.stage ?? 'code') === stage ? pending : undefined;
    },

    clear(res: Response): void {
      res.clearCookie(COOKIE, { path: '/' });
    },
  };
}

export type PendingSignIns = ReturnType<typeof createPendingSignIns>;
