import type { Knex } from 'knex';
import { z } from 'zod';
import { ROLE_IDS } from '../../schemas/roles.js';
import { emailSchema, passwordSchema, usernameSchema } from '../../schemas/users.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import { hashPassword } from '../auth/passwords.js';
import { AppError } from '../errors/index.js';
import { createUserQueries } from './queries.js';

/**
 * Bootstrap of an administrator (`heimdall create-admin`, or the first-run setup page): a User with an email
 * PlatformAccount, an Argon2id password, and role_super_admin. The email is taken as verified: the operator typed
 * it.
 */
const inputSchema = z.object({ email: emailSchema, username: usernameSchema, password: passwordSchema });

export interface CreatedAdmin {
  userId: string;
  /** The email PlatformAccount, which the setup page signs in with. */
  accountId: string;
  email: string;
  username: string;
}

/** A concurrent insert can still hit the unique indexes after our checks; answer it the same way. */
function uniqueViolation(err: unknown, email: string, username: string): AppError | undefined {
  const pgErr = err as { code?: string; constraint?: string };
  if (pgErr.code !== '23505') return undefined;
  return pgErr.constraint?.startsWith('PlatformAccount')
    ? new AppError('user.email_taken', 409, `An account with the email ${email} already exists.`)
    : new AppError('user.username_taken', 409, `The username ${username} is already taken.`);
}

export interface CreateAdminOptions {
  /**
   * Create the account only while no super admin exists (the first-run setup page): concurrent attempts are
   * serialised by an advisory lock, so exactly one of them makes the first administrator.
   */
  firstOnly?: boolean;
  /** Where the request came from: the console (no address) or the setup page (the browser's). */
  origin?: { via: 'cli' | 'setup'; ip?: string | undefined; userAgent?: string | undefined };
}

// pg_advisory_xact_lock key of the first-administrator bootstrap: any constant unique within Heimdall.
const FIRST_ADMIN_LOCK = 0x6864_6d31;

export async function createAdmin(
  deps: { db: Knex; audit: AuditLogger },
  input: { email: string; username: string; password: string },
  options: CreateAdminOptions = {},
): Promise<CreatedAdmin> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('user.invalid_input', 400, parsed.error.issues.map((i) => i.message).join(' '), {
      fields: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
  const { email, username, password } = parsed.data;
  const queries = createUserQueries(deps.db);
  const passwordHash = await hashPassword(password);

  const created = await deps.db
    .transaction(async (trx) => {
      if (options.firstOnly) {
        await trx.raw('select pg_advisory_xact_lock(?)', [FIRST_ADMIN_LOCK]);
        if ((await queries.countActiveSuperAdmins(trx)) > 0) {
          throw new AppError('setup.complete', 409, 'An administrator exists already: sign in instead.');
        }
      }
      if (await queries.findEmailAccount(email, trx)) {
        throw new AppError('user.email_taken', 409, `An account with the email ${email} already exists.`);
      }
      if (await queries.findUserByUsername(username, trx)) {
        throw new AppError('user.username_taken', 409, `The username ${username} is already taken.`);
      }
      const id = await queries.insertUser({ username }, trx);
      const accountId = await queries.insertEmailAccount(
        { user_id: id, email, username, password_hash: passwordHash, email_verified_at: new Date() },
        trx,
      );
      await queries.setPrimaryAccount(id, accountId, trx);
      await queries.insertUserRole(id, ROLE_IDS.superAdmin, trx);
      return { userId: id, accountId };
    })
    .catch((err: unknown) => {
      throw uniqueViolation(err, email, username) ?? err;
    });

  // The operator at the console or on the setup page is nobody Heimdall knows yet: the events name no actor.
  const { userId, accountId } = created;
  const origin = options.origin ?? { via: 'cli' };
  const audit = auditRecorder(deps.audit, { user_id: userId, metadata: { via: origin.via } });
  const source = origin.via === 'setup' ? ('id' as const) : ('api' as const);
  const by = { source, ip: origin.ip, userAgent: origin.userAgent };
  audit.record('user_created', by, { resource_type: 'user', resource_id: userId });
  audit.record('role_assigned', by, { resource_type: 'role', resource_id: ROLE_IDS.superAdmin });
  return { userId, accountId, email, username };
}
