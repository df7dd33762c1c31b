import type { Knex } from 'knex';
import { ROLE_IDS } from '../../schemas/roles.js';
import { emailSchema, usernameSchema } from '../../schemas/users.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder, bySelf } from '../audit/recorder.js';
import { judgePassword } from '../auth/password-policy.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Cache } from '../cache/types.js';
import type { Mailer } from '../email/mailer.js';
import {
  dataExportReadyEmail,
  deletionScheduledEmail,
  passwordChangedEmail,
  resetPasswordEmail,
  twoFactorResetEmail,
  signInMethodEmail,
  verifyEmail,
} from '../email/templates.js';
import { AppError } from '../errors/index.js';
import { pickLocale, type Locale } from '../i18n/locales.js';
import { counterFor } from '../rate-limit/limiter.js';
import type { SessionService } from '../sessions/service.js';
import { createUserQueries } from '../users/queries.js';
import { createAccountTokens } from './tokens.js';
import { revokeUserGrants, type GrantsRevoked } from '../tokens/grants.js';
import { requirePermission } from '../auth/guards.js';
import type { Actor } from '../shared/actor.js';

/**
 * Accounts with email and password: registration, email verification, forgotten and changed
 * passwords. Nothing here tells whether an email address has an account: registering a taken address,
 * resending to an unknown one and resetting an unknown one all answer exactly like the real thing.
 */
export interface AccountSettings {
  publicUrl: string;
  registrationEnabled: boolean;
  verificationTtl: number;
  resetTtl: number;
  emailsPerHour: number;
  minPasswordLength: number;
}

export interface RequestMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
  locale: Locale;
}

/** A field the person must fix; `code` names the message (core/i18n errors.*). */
export class FieldError extends AppError {
  constructor(
    readonly field: 'username' | 'email' | 'password' | 'terms',
    readonly reason:
      | 'usernameInvalid'
      | 'usernameTaken'
      | 'emailInvalid'
      | 'passwordShort'
      | 'passwordWeak'
      | 'passwordMismatch'
      | 'termsRequired',
  ) {
    super(`account.${reason}`, 422, `${field}: ${reason}`, { field, reason });
  }
}

/** A new password as a person typed it (twice, where the form asks twice), against the password policy. */
export async function checkNewPassword(
  password: string,
  confirm: string | undefined,
  policy: { minLength: number; personal: readonly string[] },
): Promise<void> {
  if (confirm !== undefined && password !== confirm) throw new FieldError('password', 'passwordMismatch');
  const verdict = await judgePassword(password, policy);
  if (!verdict.ok) {
    throw new FieldError('password', verdict.reason === 'too_short' ? 'passwordShort' : 'passwordWeak');
  }
}

/**
 * The fields of a new account (registration, the first administrator), in the order the form shows them: the
 * normalised username and email, or a FieldError naming the first field to fix.
 */
export async function checkNewAccount(
  input: { username: string; email: string; password: string; confirm: string },
  minPasswordLength: number,
): Promise<{ username: string; email: string }> {
  const username = usernameSchema.safeParse(input.username);
  if (!username.success) throw new FieldError('username', 'usernameInvalid');
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw new FieldError('email', 'emailInvalid');
  await checkNewPassword(input.password, input.confirm, {
    minLength: minPasswordLength,
    personal: [username.data, email.data],
  });
  return { username: username.data, email: email.data };
}

interface EmailAccount {
  id: string;
  user_id: string;
  username: string;
  email_verified_at: Date | null;
  preferred_locale: string | null;
  password_hash: string | null;
}

export function createAccountService(deps: {
  db: Knex;
  audit: AuditLogger;
  mailer: Mailer;
  sessions: SessionService;
  cache: Cache;
  settings: AccountSettings;
  /** A password reset revokes the person's app grants: open connections holding their tokens must hear it. */
  onGrantsRevoked: GrantsRevoked;
  /** Emails are sent after the answer (its timing must not tell whether an account exists); failures land here. */
  onError: (err: unknown) => void;
}) {
  const { db, settings } = deps;
  const audit = auditRecorder(deps.audit);
  const users = createUserQueries(db);
  const tokens = createAccountTokens(db);
  const emailsPerAddress = counterFor(deps.cache, {
    points: settings.emailsPerHour,
    duration: 3600,
    keyPrefix: 'account-email',
  });

  const findByEmail = (email: string) =>
    db('PlatformAccount as pa')
      .join('User as u', 'u.id', 'pa.user_id')
      .where('pa.platform_id', 'email')
      .whereRaw('lower(pa.platform_user_id) = lower(?)', [email])
      .whereNull('u.deleted_at')
      .first<EmailAccount | undefined>(
        'pa.id',
        'pa.user_id',
        'u.username',
        'pa.email_verified_at',
        'u.preferred_locale',
        'pa.password_hash',
      );

  /** Sends after the caller has answered: a request with an account must take as long as one without. */
  const deliver = (work: () => Promise<void>): void => {
    setImmediate(() => {
      work().catch(deps.onError);
    });
  };

  /** One email per address per `emails_per_hour`; over it, a clear refusal (the same for every address). */
  async function allowEmail(email: string): Promise<void> {
    try {
      await emailsPerAddress.consume(email.toLowerCase());
    } catch {
      throw new AppError('account.too_many_emails', 429, 'tooManyEmails');
    }
  }

  /**
   * The address asked to be sent a link, checked and within its hourly allowance, with its account if any;
   * the caller answers the same either way, so whether an account exists does not show.
   */
  async function emailLinkRequest(
    input: string,
  ): Promise<{ email: string; account: EmailAccount | undefined }> {
    const email = emailSchema.safeParse(input);
    if (!email.success) throw new FieldError('email', 'emailInvalid');
    await allowEmail(email.data);
    return { email: email.data, account: await findByEmail(email.data) };
  }

  const link = (path: string, token: string) =>
    `${settings.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  const localeOf = (account: { preferred_locale: string | null }, fallback: Locale) =>
    pickLocale(account.preferred_locale, fallback);

  async function sendVerification(account: EmailAccount, email: string, locale: Locale): Promise<void> {
    const token = await tokens.issue(
      'verify_email',
      { userId: account.user_id, accountId: account.id },
      settings.verificationTtl,
    );
    await deps.mailer.send({
      to: email,
      ...verifyEmail(localeOf(account, locale), {
        name: account.username,
        link: link('/account/verify', token),
        ttlSeconds: settings.verificationTtl,
      }),
    });
  }

  const checkPassword = (password: string, confirm: string | undefined, personal: string[]) =>
    checkNewPassword(password, confirm, { minLength: settings.minPasswordLength, personal });

  /** Who a person is for emails and authenticator apps: username, primary address, language. */
  const contact = (userId: string) =>
    db('User as u')
      .leftJoin('PlatformAccount as pa', 'pa.id', 'u.primary_platform_account_id')
      .where('u.id', userId)
      .first<{ username: string; email: string | null; preferred_locale: string | null } | undefined>(
        'u.username',
        'pa.email',
        'u.preferred_locale',
      );

  /** A security notice to the person's primary address, after the answer. */
  const notify = (
    userId: string,
    fallback: Locale,
    template: (locale: Locale, v: { name: string }) => { subject: string; text: string; html: string },
  ) =>
    deliver(async () => {
      const who = await contact(userId);
      if (who?.email) {
        await deps.mailer.send({
          to: who.email,
          ...template(localeOf(who, fallback), { name: who.username }),
        });
      }
    });

  return {
    settings,

    /** How the account is named in authenticator apps: the email address, else the username. */
    async accountLabel(userId: string): Promise<string> {
      const who = await contact(userId);
      return who?.email ?? who?.username ?? userId;
    },

    /** An administrator turned the person's 2FA off: tell them. */
    twoFactorWasReset: (userId: string) => notify(userId, 'en', twoFactorResetEmail),

    /** The person asked to delete their account: tell them when it is erased and that they may cancel. */
    deletionScheduled: (userId: string, purgeAfter: Date) =>
      notify(userId, 'en', (locale, v) => deletionScheduledEmail(locale, { ...v, purgeAfter })),

    /** The person's data export is ready: the link is the REST route that redirects to the zip. */
    exportReady: (userId: string, expiresAt: Date) =>
      notify(userId, 'en', (locale, v) =>
        dataExportReadyEmail(locale, {
          ...v,
          // The account area's page: a browser has the session there, not the API's credentials.
          link: `${settings.publicUrl}/account/export`,
          expiresAt,
        }),
      ),

    /** A platform was linked to or unlinked from the account: tell the person (a stolen session could do it). */
    signInMethodChanged: (userId: string, platform: string, change: 'linked' | 'unlinked') =>
      notify(userId, 'en', (locale, v) => signInMethodEmail(locale, { ...v, platform, change })),

    async register(
      input: { username: string; email: string; password: string; confirm: string; acceptTerms: boolean },
      meta: RequestMeta,
    ): Promise<void> {
      if (!settings.registrationEnabled) throw new AppError('account.registration_closed', 403, 'closed');
      const { username, email } = await checkNewAccount(input, settings.minPasswordLength);
      if (!input.acceptTerms) throw new FieldError('terms', 'termsRequired');
      if (await users.findUserByUsername(username)) throw new FieldError('username', 'usernameTaken');
      await allowEmail(email);

      const taken = await findByEmail(email);
      // Hashing either way: a taken address must cost the same time as a new one.
      const hash = await hashPassword(input.password);
      if (taken) return; // the same answer as for a new address; the owner is not bothered
      const userId = await db
        .transaction(async (trx) => {
          const id = await users.insertUser({ username: username }, trx);
          await trx('User').where({ id }).update({ preferred_locale: meta.locale });
          const accountId = await users.insertEmailAccount(
            { user_id: id, email: email, username: username, password_hash: hash },
            trx,
          );
          await users.setPrimaryAccount(id, accountId, trx);
          await users.insertUserRole(id, ROLE_IDS.user, trx);
          return id;
        })
        .catch((err: unknown) => {
          // Lost a race for the username or the address: the same answers as the checks above.
          const pg = err as { code?: string; constraint?: string };
          if (pg.code !== '23505') throw err;
          if (pg.constraint?.startsWith('PlatformAccount')) return undefined;
          throw new FieldError('username', 'usernameTaken');
        });
      if (!userId) return;
      audit.record('user_created', bySelf(userId, meta), {
        user_id: userId,
        resource_type: 'user',
        resource_id: userId,
        metadata: { via: 'registration', terms_accepted: true },
      });
      const account = (await findByEmail(email))!;
      deliver(() => sendVerification(account, email, meta.locale));
    },

    /** Confirms the address a verification link was sent to; false when the link is used or expired. */
    async verifyEmail(token: string): Promise<boolean> {
      const owner = await tokens.redeem('verify_email', token);
      if (!owner) return false;
      await db('PlatformAccount')
        .where({ id: owner.accountId })
        .whereNull('email_verified_at')
        .update({ email_verified_at: db.fn.now() });
      return true;
    },

    async resendVerification(emailInput: string, meta: RequestMeta): Promise<void> {
      const { email, account } = await emailLinkRequest(emailInput);
      if (account && !account.email_verified_at) {
        deliver(() => sendVerification(account, email, meta.locale));
      }
    },

    async requestPasswordReset(emailInput: string, meta: RequestMeta): Promise<void> {
      const { email, account } = await emailLinkRequest(emailInput);
      if (!account) return;
      deliver(async () => {
        const token = await tokens.issue(
          'reset_password',
          { userId: account.user_id, accountId: account.id },
          settings.resetTtl,
        );
        // Whoever asks need not be the account's owner: the event names no actor.
        audit.record(
          'password_reset_requested',
          { source: 'id', ip: meta.ip, userAgent: meta.userAgent },
          { user_id: account.user_id },
        );
        await deps.mailer.send({
          to: email,
          ...resetPasswordEmail(localeOf(account, meta.locale), {
            name: account.username,
            link: link('/account/reset', token),
            ttlSeconds: settings.resetTtl,
          }),
        });
      });
    },

    /**
     * An administrator sends a user a password reset link (users:write): the same email the person could ask
     * for themselves, within the same hourly allowance, recorded with the administrator as the actor.
     */
    async sendPasswordReset(actor: Actor, userId: string): Promise<void> {
      requirePermission(actor.auth, 'users', 'write');
      const row = await db('PlatformAccount as pa')
        .join('User as u', 'u.id', 'pa.user_id')
        .where({ 'pa.user_id': userId, 'pa.platform_id': 'email' })
        .whereNull('u.deleted_at')
        .first<{ email: string } | undefined>('pa.platform_user_id as email');
      if (!row) {
        throw new AppError(
          'account.no_password',
          409,
          'This user has no email sign-in, so there is no password to reset.',
        );
      }
      await allowEmail(row.email);
      const account = (await findByEmail(row.email))!;
      const token = await tokens.issue(
        'reset_password',
        { userId: account.user_id, accountId: account.id },
        settings.resetTtl,
      );
      audit.record('password_reset_requested', actor, { user_id: userId, metadata: { by: 'administrator' } });
      deliver(() =>
        deps.mailer.send({
          to: row.email,
          ...resetPasswordEmail(localeOf(account, 'en'), {
            name: account.username,
            link: link('/account/reset', token),
            ttlSeconds: settings.resetTtl,
          }),
        }),
      );
    },

    resetLinkValid: async (token: string) => (await tokens.peek('reset_password', token)) !== undefined,

    /** A new password from a reset link: every session of the person ends (someone else may hold one). */
    async resetPassword(token: string, password: string, confirm: string, meta: RequestMeta): Promise<void> {
      const link = await tokens.peek('reset_password', token);
      if (!link) throw new AppError('account.link_invalid', 410, 'linkInvalid');
      const owner = await db('PlatformAccount as pa')
        .join('User as u', 'u.id', 'pa.user_id')
        .where('pa.id', link.accountId)
        .first<{ username: string; email: string }>('u.username', 'pa.email');
      await checkPassword(password, confirm, [owner.username, owner.email]);
      const hash = await hashPassword(password);
      const redeemed = await tokens.redeem('reset_password', token);
      if (!redeemed) throw new AppError('account.link_invalid', 410, 'linkInvalid');
      // A reset proves control of the mailbox, so it also confirms the address.
      await db('PlatformAccount')
        .where({ id: redeemed.accountId })
        .update({ password_hash: hash, email_verified_at: db.raw('coalesce(email_verified_at, now())') });
      // Whoever reset the password may be locking out someone who had the account: apps lose their grants too.
      await revokeUserGrants(db, deps.onGrantsRevoked, redeemed.userId);
      await this.afterPasswordChange(redeemed.userId, null, meta, 'reset');
    },

    /** In the account area: needs the current password; the session in use stays signed in. */
    async changePassword(
      userId: string,
      sessionId: string | null,
      input: { current: string; password: string; confirm: string },
      meta: RequestMeta,
    ): Promise<void> {
      const account = await db('PlatformAccount as pa')
        .join('User as u', 'u.id', 'pa.user_id')
        .where({ 'pa.user_id': userId, 'pa.platform_id': 'email' })
        .first<{ id: string; password_hash: string | null; username: string; email: string }>(
          'pa.id',
          'pa.password_hash',
          'u.username',
          'pa.email',
        );
      if (!account?.password_hash || !(await verifyPassword(account.password_hash, input.current))) {
        throw new AppError('account.wrong_password', 403, 'wrongPassword');
      }
      await checkPassword(input.password, input.confirm, [account.username, account.email]);
      await db('PlatformAccount')
        .where({ id: account.id })
        .update({ password_hash: await hashPassword(input.password) });
      await this.afterPasswordChange(userId, sessionId, meta, 'change');
    },

    /** Ends every other session, records the change, tells the person by email. */
    async afterPasswordChange(
      userId: string,
      keepSession: string | null,
      meta: RequestMeta,
      via: 'reset' | 'change',
    ): Promise<void> {
      const revoked = await deps.sessions.endAllForUser(userId, keepSession, 'password_changed');
      audit.record('password_changed', bySelf(userId, meta), {
        user_id: userId,
        metadata: { via, sessions_ended: revoked },
      });
      notify(userId, meta.locale, passwordChangedEmail);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
