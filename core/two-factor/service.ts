import { createHmac, randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import QRCode from 'qrcode';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import type { AuthContext } from '../auth/context.js';
import { assertMayManageOwnTwoFactor, requirePermission, requireUserId } from '../auth/guards.js';
import { verifyPassword } from '../auth/passwords.js';
import type { Cache } from '../cache/types.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { AppError } from '../errors/index.js';
import { counterFor } from '../rate-limit/limiter.js';
import type { Actor } from '../shared/actor.js';
import { checkTotp, newTotpSecret, otpauthUri } from './totp.js';

/**
 * Two-factor authentication (tables UserTwoFactor and TwoFactorBackupCode): TOTP set up in two steps
 * (setup shows the secret, enable proves the app has it), ten single-use backup codes stored as keyed hashes,
 * codes accepted once, and wrong codes limited per person so six digits cannot be guessed.
 */
export const BACKUP_CODE_COUNT = 10;
const BACKUP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export interface TwoFactorStatus {
  enabled: boolean;
  enabled_at: Date | null;
  /** A role of the user requires 2FA (the role's `requires_two_factor`). */
  required: boolean;
  backup_codes_remaining: number;
}

interface Row {
  user_id: string;
  secret_encrypted: string;
  enabled: boolean;
  enabled_at: Date | null;
  last_used_step: string | null;
}

const wrongCode = () =>
  new AppError('two_factor.invalid_code', 422, 'That code is not right. Try the current one.');
const tooMany = (seconds: number) =>
  new AppError(
    'two_factor.too_many_attempts',
    429,
    `Too many wrong codes. Try again in ${Math.max(1, Math.ceil(seconds / 60))} minutes.`,
    { retry_after_seconds: seconds },
  );

export function createTwoFactorService(deps: {
  db: Knex;
  box: SecretBox;
  audit: AuditLogger;
  authCache: AuthCache;
  cache: Cache;
  /** Shown in authenticator apps next to the account. */
  issuer: string;
  /**
   * Keys of the backup-code hashes (a pepper: codes are short), derived from the secrets key: the current one first
   * (new codes), then those of previous keys, so codes made before a key rotation still work.
   */
  backupCodeKeys: readonly Buffer[];
  /** Told when an administrator resets someone's 2FA (the person is emailed). */
  onReset?: (userId: string) => void;
  maxFailures?: number;
}) {
  const { db } = deps;
  const failures = counterFor(deps.cache, {
    points: deps.maxFailures ?? 5,
    duration: 300,
    blockDuration: 900,
    keyPrefix: '2fa-failures',
  });

  const hashCode = (code: string, key = deps.backupCodeKeys[0]!) =>
    createHmac('sha256', key).update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex');
  const secretContext = (userId: string) => `totp:${userId}`;
  const row = (userId: string) => db<Row>('UserTwoFactor').where({ user_id: userId }).first();

  async function gate(userId: string): Promise<void> {
    const state = await failures.get(userId);
    if (state && state.consumedPoints >= (deps.maxFailures ?? 5))
      throw tooMany(Math.ceil(state.msBeforeNext / 1000));
  }
  async function failed(userId: string): Promise<never> {
    const state = await failures.penalty(userId).catch(() => null);
    if (state && state.consumedPoints >= (deps.maxFailures ?? 5)) {
      await failures.block(userId, 900);
      throw tooMany(900);
    }
    throw wrongCode();
  }

  function newBackupCodes(): string[] {
    return Array.from({ length: BACKUP_CODE_COUNT }, () => {
      const chars = Array.from({ length: 10 }, () => BACKUP_ALPHABET[randomInt(BACKUP_ALPHABET.length)]);
      return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
    });
  }

  async function storeBackupCodes(trx: Knex, userId: string): Promise<string[]> {
    const codes = newBackupCodes();
    await trx('TwoFactorBackupCode').where({ user_id: userId }).delete();
    await trx('TwoFactorBackupCode').insert(codes.map((c) => ({ user_id: userId, code_hash: hashCode(c) })));
    return codes;
  }

  /**
   * Checks a TOTP code (not one used before) or, when `allowBackup`, an unused backup code, which is then spent.
   * Wrong codes count towards the lock.
   */
  async function checkCode(
    userId: string,
    code: string,
    options: { allowBackup: boolean; enrolment?: Row },
  ): Promise<'totp' | 'backup_code'> {
    await gate(userId);
    const current = options.enrolment ?? (await row(userId));
    if (!current)
      throw new AppError('two_factor.not_set_up', 409, 'Two-factor authentication is not set up.');
    const cleaned = code.replace(/\s/g, '');
    if (/^\d{6}$/.test(cleaned)) {
      const secret = deps.box.open(current.secret_encrypted, secretContext(userId));
      const last = current.last_used_step === null ? null : Number(current.last_used_step);
      const result = checkTotp(secret, cleaned, { afterStep: last });
      if (result.valid) {
        // Only one request may spend a step: the update loses when another one stored it first.
        const updated = await db('UserTwoFactor')
          .where({ user_id: userId })
          .andWhere((q) => q.whereNull('last_used_step').orWhere('last_used_step', '<', result.step))
          .update({ last_used_step: result.step });
        if (updated === 1) {
          await failures.delete(userId).catch(() => undefined);
          return 'totp';
        }
      }
    } else if (options.allowBackup && current.enabled) {
      const [spent] = await db('TwoFactorBackupCode')
        .where({ user_id: userId })
        .whereIn(
          'code_hash',
          deps.backupCodeKeys.map((key) => hashCode(cleaned, key)),
        )
        .whereNull('used_at')
        .update({ used_at: db.fn.now() })
        .returning('id');
      if (spent) {
        await failures.delete(userId).catch(() => undefined);
        return 'backup_code';
      }
    }
    return failed(userId);
  }

  /** A session that just passed the second factor is marked so (its AuthContext no longer blocks). */
  async function markSession(auth: AuthContext): Promise<void> {
    if (!auth.sessionId) return;
    await db('Session').where({ id: auth.sessionId }).update({ two_factor_verified_at: db.fn.now() });
    await deps.authCache.invalidate({ type: 'session', sessionId: auth.sessionId });
  }

  const audit = auditRecorder<
    '2fa_enabled' | '2fa_disabled' | '2fa_verified' | '2fa_backup_codes_regenerated'
  >(deps.audit);

  async function status(userId: string): Promise<TwoFactorStatus> {
    const [enrolment, remaining, required] = await Promise.all([
      row(userId),
      db('TwoFactorBackupCode')
        .where({ user_id: userId })
        .whereNull('used_at')
        .count<{ n: string }[]>('* as n'),
      db('UserRole as ur')
        .join('Role as r', 'r.id', 'ur.role_id')
        .where({ 'ur.user_id': userId, 'r.requires_two_factor': true })
        .first('r.id'),
    ]);
    return {
      enabled: enrolment?.enabled ?? false,
      enabled_at: enrolment?.enabled_at ?? null,
      required: required !== undefined,
      backup_codes_remaining: enrolment?.enabled ? Number(remaining[0]?.n ?? 0) : 0,
    };
  }

  /** The caller's own enrolment, which only the person (or a key scoped for it) may change. */
  function ownUserId(auth: AuthContext): string {
    const userId = requireUserId(auth);
    assertMayManageOwnTwoFactor(auth);
    return userId;
  }

  /** Whose 2FA a request is about: your own, or (with two_factor:read / manage) someone else's. */
  function target(auth: AuthContext, userId: string | undefined, action: 'read' | 'manage'): string {
    if (userId && userId !== auth.user?.id) {
      requirePermission(auth, 'two_factor', action);
      return userId;
    }
    return action === 'manage' ? ownUserId(auth) : requireUserId(auth);
  }

  return {
    checkCode,
    markSession,
    /** Is 2FA on for this user (the sign-in asks for a code then)? */
    enabled: async (userId: string) => (await row(userId))?.enabled ?? false,
    /** Does a role of this user require 2FA while it is off (the sign-in sends them to set it up)? */
    mustSetUp: async (userId: string) => {
      const s = await status(userId);
      return s.required && !s.enabled;
    },

    status: (auth: AuthContext, userId?: string) => status(target(auth, userId, 'read')),

    /** A new secret (not active until `enable`); replaces an unfinished one. */
    async setup(
      actor: Actor,
      account: string,
    ): Promise<{ secret: string; otpauth_uri: string; qr_code: string }> {
      const userId = ownUserId(actor.auth);
      const current = await row(userId);
      if (current?.enabled) {
        throw new AppError(
          'two_factor.already_enabled',
          409,
          'Two-factor authentication is already on. Disable it first.',
        );
      }
      const secret = newTotpSecret();
      await db('UserTwoFactor')
        .insert({
          user_id: userId,
          secret_encrypted: deps.box.seal(secret, secretContext(userId)),
          enabled: false,
        })
        .onConflict('user_id')
        .merge(['secret_encrypted', 'enabled', 'enabled_at', 'last_used_step']);
      const uri = otpauthUri({ issuer: deps.issuer, account, secret });
      return { secret, otpauth_uri: uri, qr_code: await QRCode.toDataURL(uri, { margin: 1, width: 240 }) };
    },

    /** Proves the app has the secret; answers the ten backup codes (shown this once). */
    async enable(actor: Actor, code: string): Promise<{ backup_codes: string[] }> {
      const userId = ownUserId(actor.auth);
      const current = await row(userId);
      if (!current) throw new AppError('two_factor.not_set_up', 409, 'Start with POST /v1/2fa/setup.');
      if (current.enabled)
        throw new AppError('two_factor.already_enabled', 409, 'Two-factor authentication is already on.');
      await checkCode(userId, code, { allowBackup: false, enrolment: current });
      const codes = await db.transaction(async (trx) => {
        await trx('UserTwoFactor')
          .where({ user_id: userId })
          .update({ enabled: true, enabled_at: trx.fn.now() });
        return storeBackupCodes(trx, userId);
      });
      await deps.authCache.invalidate({ type: 'user', userId });
      await markSession(actor.auth);
      audit.record('2fa_enabled', actor, { user_id: userId });
      return { backup_codes: codes };
    },

    /** A code (TOTP or backup) for the caller's own account. */
    async verify(actor: Actor, code: string): Promise<{ method: 'totp' | 'backup_code' }> {
      const userId = ownUserId(actor.auth);
      const current = await row(userId);
      if (!current?.enabled)
        throw new AppError('two_factor.not_enabled', 409, 'Two-factor authentication is off.');
      const method = await checkCode(userId, code, { allowBackup: true, enrolment: current });
      await markSession(actor.auth);
      audit.record('2fa_verified', actor, { user_id: userId, metadata: { method } });
      return { method };
    },

    /**
     * Turns 2FA off. Yourself: a current code or a backup code, and your password when you have one.
     * Someone else: two_factor:manage (they are told by email).
     */
    async disable(
      actor: Actor,
      input: { user_id?: string; code?: string; password?: string },
    ): Promise<void> {
      const userId = target(actor.auth, input.user_id, 'manage');
      const current = await row(userId);
      if (!current?.enabled)
        throw new AppError('two_factor.not_enabled', 409, 'Two-factor authentication is off.');
      const self = userId === actor.auth.user?.id;
      if (self) {
        const account = await db('PlatformAccount')
          .where({ user_id: userId, platform_id: 'email' })
          .first<{ password_hash: string | null } | undefined>('password_hash');
        if (
          account?.password_hash &&
          !(input.password && (await verifyPassword(account.password_hash, input.password)))
        ) {
          throw new AppError(
            'two_factor.password_required',
            403,
            'Confirm with your password to turn 2FA off.',
          );
        }
        if (!input.code)
          throw new AppError('two_factor.code_required', 422, 'Enter a code from your app or a backup code.');
        await checkCode(userId, input.code, { allowBackup: true, enrolment: current });
      }
      await db.transaction(async (trx) => {
        await trx('TwoFactorBackupCode').where({ user_id: userId }).delete();
        await trx('UserTwoFactor').where({ user_id: userId }).delete();
      });
      await deps.authCache.invalidate({ type: 'user', userId });
      audit.record('2fa_disabled', actor, {
        user_id: userId,
        metadata: { by: self ? 'self' : 'administrator' },
      });
      if (!self) deps.onReset?.(userId);
    },

    async backupCodesRemaining(auth: AuthContext): Promise<{ remaining: number; total: number }> {
      const s = await status(requireUserId(auth));
      if (!s.enabled) throw new AppError('two_factor.not_enabled', 409, 'Two-factor authentication is off.');
      return { remaining: s.backup_codes_remaining, total: BACKUP_CODE_COUNT };
    },

    /** New backup codes (all old ones void); needs a current TOTP code. */
    async regenerateBackupCodes(actor: Actor, code: string): Promise<{ backup_codes: string[] }> {
      const userId = ownUserId(actor.auth);
      const current = await row(userId);
      if (!current?.enabled)
        throw new AppError('two_factor.not_enabled', 409, 'Two-factor authentication is off.');
      await checkCode(userId, code, { allowBackup: false, enrolment: current });
      const codes = await db.transaction((trx) => storeBackupCodes(trx, userId));
      audit.record('2fa_backup_codes_regenerated', actor, { user_id: userId });
      return { backup_codes: codes };
    },
  };
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
