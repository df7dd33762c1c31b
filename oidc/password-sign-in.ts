import type { Request, Response } from 'express';
import type { AuditLogger } from '../core/audit/logger.js';
import type { Attempt, BruteForceGuard } from '../core/auth/brute-force.js';
import type { PasswordLogin, TwoFactorState } from '../core/auth/password-login.js';
import { messages, pickLocale, type Locale, type Messages } from '../core/i18n/locales.js';
import type { Logger } from '../core/logger/logger.js';
import type { SessionService } from '../core/sessions/service.js';
import { plainIp } from '../core/shared/actor.js';
import type { AuditEventInput } from '../schemas/audit.js';
import { AppError } from '../core/errors/index.js';
import type { TwoFactorService } from '../core/two-factor/service.js';

/**
 * Signing in with email and password, shared by the OpenID sign-in page and the account area: brute-force
 * gate, Argon2id check, the refusal a person sees (in their language), the audit trail, and on success the
 * Heimdall session (row + `id.session-token` cookie). The 2FA issue inserts its step between `attempt` and
 * `start`.
 */
export type SignInOutcome =
  | { ok: true; userId: string; accountId: string; twoFactor: TwoFactorState }
  | { ok: false; status: number; error: string; resendFor?: string };

export interface SignInDeps {
  passwords: PasswordLogin;
  bruteForce: BruteForceGuard;
  sessions: SessionService;
  audit: AuditLogger;
  logger: Logger;
  sessionCookie: string;
  cookieSecure: boolean;
}

/**
 * The page language: the authorization request's `ui_locales` (OpenID Connect Core §3.1.2.1: preferred
 * languages, space-separated, most preferred first) before the browser's Accept-Language, then English.
 */
export const localeOf = (req: Request, uiLocales?: unknown): Locale =>
  pickLocale(
    undefined,
    [...(typeof uiLocales === 'string' ? uiLocales.split(' ') : []), req.get('accept-language') ?? '']
      .filter(Boolean)
      .join(','),
  );

export const requestMeta = (req: Request) => ({
  ip_address: plainIp(req.ip),
  user_agent: req.get('user-agent') || undefined,
  source_service: 'id' as const,
});

/**
 * The authentication methods of a sign-in (OpenID Connect `amr`, RFC 8176 where it has a name): `pwd` for a
 * password, `fed` when an upstream provider vouched for the person, and `otp` when a code followed.
 */
export const amrFor = (platform: string | undefined, secondFactor: boolean): string[] => [
  !platform || platform === 'email' ? 'pwd' : 'fed',
  ...(secondFactor ? ['otp'] : []),
];

/** Whole minutes to wait, at least one. */
const minutesOf = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

function lockedMessage(m: Messages, lock: { scope: 'account' | 'ip'; retryAfterSeconds: number }): string {
  const minutes = minutesOf(lock.retryAfterSeconds);
  return lock.scope === 'account' ? m.lockout.account(minutes) : m.lockout.ip(minutes);
}

export function createPasswordSignIn(deps: SignInDeps) {
  const record = (event: AuditEventInput) => {
    try {
      deps.audit.record(event);
    } catch (err) {
      deps.logger.error({ err }, 'could not record a sign-in audit event');
    }
  };

  return {
    record,

    async attempt(
      req: Request,
      res: Response,
      input: { email: string; password: string; clientId?: unknown; uiLocales?: unknown },
    ): Promise<SignInOutcome> {
      const m = messages(localeOf(req, input.uiLocales));
      const { email, password } = input;
      if (!email || !password) return { ok: false, status: 400, error: m.login.missing };
      const ip = plainIp(req.ip) ?? 'unknown';
      const meta = { client_id: input.clientId, method: 'password' };
      const locked = (lock: Extract<Attempt, { allowed: false }>, userId?: string | null): SignInOutcome => {
        record({
          event_type: 'login_failed',
          user_id: userId ?? undefined,
          status: 'failure',
          error_message: 'locked_out',
          metadata: {
            ...meta,
            reason: 'locked_out',
            lock: lock.scope,
            retry_after_seconds: lock.retryAfterSeconds,
          },
          ...requestMeta(req),
        });
        res.set('Retry-After', String(lock.retryAfterSeconds));
        return { ok: false, status: 429, error: lockedMessage(m, lock) };
      };

      const gate = await deps.bruteForce.before(email, ip);
      if (!gate.allowed) return locked(gate);
      if (gate.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, gate.delayMs));

      const check = await deps.passwords.check(email, password);
      if (check.ok) {
        await deps.bruteForce.succeeded(email);
        return { ok: true, userId: check.userId, accountId: check.accountId, twoFactor: check.twoFactor };
      }
      record({
        event_type: 'login_failed',
        user_id: check.userId ?? undefined,
        status: 'failure',
        error_message: check.reason,
        metadata: { ...meta, reason: check.reason },
        ...requestMeta(req),
      });
      if (check.reason === 'unverified') {
        return { ok: false, status: 403, error: m.login.unverified, resendFor: email };
      }
      if (check.reason === 'banned') {
        const error = check.until ? m.lockout.bannedUntil(check.until.toUTCString()) : m.lockout.banned;
        return { ok: false, status: 403, error };
      }
      const lock = await deps.bruteForce.failed(email, ip);
      if (lock && !lock.allowed) return locked(lock, check.userId);
      return { ok: false, status: 401, error: m.login.invalid };
    },

    /**
     * A completed sign-in: the Heimdall session and its cookie, `login` in the audit log. `platform`: what vouched
     * for the person (`email`: their password; else the upstream provider).
     */
    async start(
      req: Request,
      res: Response,
      login: {
        userId: string;
        accountId: string;
        amr: string[];
        clientId?: unknown;
        platform?: string | undefined;
      },
    ): Promise<void> {
      const twoFactorVerified = login.amr.includes('otp');
      const platform = login.platform ?? 'email';
      const session = await deps.sessions.create({
        signedInWith: login.accountId,
        userId: login.userId,
        provider: platform,
        ip: plainIp(req.ip),
        userAgent: req.get('user-agent'),
        twoFactorVerified,
      });
      res.cookie(deps.sessionCookie, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.cookieSecure,
        path: '/',
        expires: session.expires,
      });
      record({
        event_type: 'login',
        user_id: login.userId,
        actor_id: login.userId,
        metadata: {
          client_id: login.clientId,
          method: platform === 'email' ? 'password' : 'social',
          platform,
          amr: login.amr,
        },
        ...requestMeta(req),
      });
    },
  };
}

export type PasswordSignIn = ReturnType<typeof createPasswordSignIn>;

/** A refused code in the person's language (wrong code, or locked for a while); undefined for other errors. */
export function twoFactorErrorText(m: Messages, err: unknown): string | undefined {
  if (!(err instanceof AppError) || err.status >= 500) return undefined;
  if (err.code !== 'two_factor.too_many_attempts') return m.twoFactor.invalid;
  return m.twoFactor.tooMany(minutesOf(Number(err.details?.retry_after_seconds ?? 900)));
}

/**
 * The second step of a sign-in: is a code needed, must 2FA be set up first, and checking the code
 * (TOTP or backup code), with the same per-person limit on wrong codes as everywhere else.
 */
export function createSecondFactor(deps: {
  twoFactor: TwoFactorService;
  record: (event: AuditEventInput) => void;
}) {
  return {
    enabled: (userId: string) => deps.twoFactor.enabled(userId),
    mustSetUp: (userId: string) => deps.twoFactor.mustSetUp(userId),

    async checkSecondFactor(
      req: Request,
      userId: string,
      code: string,
      uiLocales?: unknown,
    ): Promise<{ ok: true } | { ok: false; status: number; error: string }> {
      const m = messages(localeOf(req, uiLocales));
      try {
        const method = await deps.twoFactor.checkCode(userId, code, { allowBackup: true });
        deps.record({
          event_type: '2fa_verified',
          user_id: userId,
          actor_id: userId,
          metadata: { method, at: 'sign_in' },
          ...requestMeta(req),
        });
        return { ok: true };
      } catch (err) {
        const error = twoFactorErrorText(m, err);
        if (error === undefined) throw err;
        const locked = (err as AppError).code === 'two_factor.too_many_attempts';
        return { ok: false, status: locked ? 429 : 422, error };
      }
    },
  };
}

export type SecondFactor = ReturnType<typeof createSecondFactor>;
