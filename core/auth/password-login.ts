import type { Knex } from 'knex';
import { prepared } from '../db/prepared.js';
import { SIGN_IN_STATE_COLUMNS, SIGN_IN_STATE_JOINS, type SignInState } from './sign-in-state.js';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from './passwords.js';

/**
 * Email + password sign-in: Argon2id against PlatformAccount.password_hash. No user enumeration: an
 * unknown email, a deleted account and a wrong password take the same time (a real Argon2 verification runs in
 * every case) and the caller gets the same answer for all three. A ban is told only after the right password.
 */
export type PasswordCheck =
  | { ok: true; userId: string; accountId: string; twoFactor: TwoFactorState }
  | { ok: false; reason: 'invalid_credentials'; userId: string | null }
  | { ok: false; reason: 'banned'; userId: string; until: Date | null }
  | { ok: false; reason: 'unverified'; userId: string };

/**
 * What the sign-in's next step depends on, read with the account: is 2FA on (a code is asked for), and does a
 * role require it (it must be set up first). One query less per sign-in than asking the 2FA service.
 */
export interface TwoFactorState {
  enabled: boolean;
  required: boolean;
}

interface AccountRow extends SignInState {
  id: string;
  user_id: string;
  password_hash: string | null;
  email_verified_at: Date | null;
}

/** Longer than any verification takes here (Argon2id at 64 MiB / 3 passes, the strongest hashes we made). */
const FAILURE_FLOOR_MS = 400;

/** The account an email signs in to, with what the next step needs (a prepared statement: every sign-in runs it). */
const FIND_ACCOUNT = prepared<AccountRow>(
  `SELECT pa.id, pa.user_id, pa.password_hash, pa.email_verified_at, ${SIGN_IN_STATE_COLUMNS}
     FROM "PlatformAccount" pa
     ${SIGN_IN_STATE_JOINS}
    WHERE pa.platform_id = 'email' AND lower(pa.platform_user_id) = lower($1)
    LIMIT 1`,
);

const sleep = (ms: number) =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

export function createPasswordLogin(
  db: Knex,
  options: { allowUnverified: boolean } = { allowUnverified: true },
) {
  // A hash of a random password with the current parameters: unknown emails cost a real verification too.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hashPassword(generatePassword()));

  const findAccount = async (email: string) => (await FIND_ACCOUNT(db, [email])).rows[0];

  return {
    async check(email: string, password: string): Promise<PasswordCheck> {
      const started = Date.now();
      const account = await findAccount(email.trim());
      const usable = account?.password_hash && !account.deleted_at ? account : undefined;
      const matches = await verifyPassword(usable?.password_hash ?? (await dummyHash()), password);
      if (!usable || !matches) {
        // Hashes made with other (older, stronger) parameters verify slower than the dummy: every failure takes
        // at least FAILURE_FLOOR_MS, so timing tells nothing about which accounts exist.
        await sleep(started + FAILURE_FLOOR_MS - Date.now());
        return { ok: false, reason: 'invalid_credentials', userId: usable?.user_id ?? null };
      }
      if (usable.ban_id) {
        return { ok: false, reason: 'banned', userId: usable.user_id, until: usable.banned_until };
      }
      if (!options.allowUnverified && !usable.email_verified_at) {
        return { ok: false, reason: 'unverified', userId: usable.user_id };
      }
      if (needsRehash(usable.password_hash!)) {
        // The hash was made with other parameters: store one with today's while we hold the password.
        await db('PlatformAccount')
          .where({ id: usable.id })
          .update({ password_hash: await hashPassword(password) });
      }
      return {
        ok: true,
        userId: usable.user_id,
        accountId: usable.id,
        twoFactor: { enabled: usable.two_factor_enabled, required: usable.two_factor_required },
      };
    },
  };
}

export type PasswordLogin = ReturnType<typeof createPasswordLogin>;
