import type { Knex } from 'knex';
import { PASSWORD_MIN_LENGTH } from '../../schemas/users.js';
import { checkNewAccount, FieldError } from '../accounts/service.js';
import type { AuditLogger } from '../audit/logger.js';
import { AppError } from '../errors/index.js';
import { createAdmin, type CreatedAdmin } from '../users/create-admin.js';
import { createUserQueries } from '../users/queries.js';
import type { SetupLinks } from './setup-links.js';

/** The console way to the first administrator, which the log and the first-run page show. */
export const CREATE_ADMIN_COMMAND = 'npx heimdall create-admin --email you@example.com --username admin';

export interface FirstAdminInput {
  email: string;
  username: string;
  password: string;
  confirm: string;
}

/**
 * The first run: while no super admin exists, a one-time setup link creates one from the browser. The password
 * must pass the same policy as a registration's (length and zxcvbn's estimate); the link is spent only by an
 * account that was really created, so a typo never costs the operator their link.
 */
export function createFirstAdminSetup(deps: {
  db: Knex;
  audit: AuditLogger;
  links: SetupLinks;
  minPasswordLength: number;
}) {
  const queries = createUserQueries(deps.db);
  // An administrator's password is never shorter than any administrator's may be, whatever registration allows.
  const minPasswordLength = Math.max(deps.minPasswordLength, PASSWORD_MIN_LENGTH);
  // Once an administrator exists the first run is over for good: later visits need not ask the database.
  let complete = false;

  const invalidLink = () =>
    new AppError(
      'setup.link_invalid',
      410,
      'This setup link is not valid: it was used already or has expired.',
    );

  return {
    /** True while no active super admin exists. */
    async needed(): Promise<boolean> {
      if (complete) return false;
      complete = (await queries.countActiveSuperAdmins()) > 0;
      return !complete;
    },

    linkValid: (token: string) => deps.links.valid(token),

    /** The shortest password the form accepts. */
    minPasswordLength,

    /** Creates the first super admin with the link; FieldError for a field to fix, AppError otherwise. */
    async complete(
      token: string,
      input: FirstAdminInput,
      request: { ip?: string | undefined; userAgent?: string | undefined },
    ): Promise<CreatedAdmin> {
      if (!(await deps.links.valid(token))) throw invalidLink();
      const { email, username } = await checkNewAccount(input, minPasswordLength);
      try {
        const admin = await createAdmin(
          { db: deps.db, audit: deps.audit },
          { email, username, password: input.password },
          { firstOnly: true, origin: { via: 'setup', ...request } },
        );
        complete = true;
        return admin;
      } catch (err) {
        if (err instanceof AppError && err.code === 'setup.complete') complete = true;
        // A taken username is a field to fix, as on registration.
        if (err instanceof AppError && err.code === 'user.username_taken') {
          throw new FieldError('username', 'usernameTaken');
        }
        throw err;
      } finally {
        // Spent by a created account, or by a setup another link completed; kept for a field to fix.
        if (complete) await deps.links.consume(token);
      }
    },
  };
}

export type FirstAdminSetup = ReturnType<typeof createFirstAdminSetup>;
