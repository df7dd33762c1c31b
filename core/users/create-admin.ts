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
 * Bootstrap of the first administrator (`heimdall create-admin`): a User with an email PlatformAccount,
 * an Argon2id password, and role_super_admin. The email is taken as verified: the operator typed it.
 */
const inputSchema = z.object({ email: emailSchema, username: usernameSchema, password: passwordSchema });

export interface CreatedAdmin {
  userId: string;
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

export async function createAdmin(
  deps: { db: Knex; audit: AuditLogger },
  input: { email: string; username: string; password: string },
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

  const userId = await deps.db
    .transaction(async (trx) => {
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
      return id;
    })
    .catch((err: unknown) => {
      throw uniqueViolation(err, email, username) ?? err;
    });

  // The operator at the console is nobody Heimdall knows yet: the events name no actor.
  const audit = auditRecorder(deps.audit, { user_id: userId, metadata: { via: 'cli' } });
  audit.record('user_created', { source: 'api' }, { resource_type: 'user', resource_id: userId });
  audit.record(
    'role_assigned',
    { source: 'api' },
    { resource_type: 'role', resource_id: ROLE_IDS.superAdmin },
  );
  return { userId, email, username };
}
