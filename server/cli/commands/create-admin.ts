import { openAuditLogger } from '../../../core/audit/logger.js';
import { generatePassword } from '../../../core/auth/passwords.js';
import { createAdmin } from '../../../core/users/create-admin.js';
import type { Config } from '../../../schemas/config.js';
import { readFirstLine, UsageError, type CliIo } from '../io.js';
import { withPreparedDatabases } from './database.js';

/**
 * `heimdall create-admin --email E --username U`: the password is read from a piped stdin, or generated and
 * printed exactly once when stdin is a terminal (it is never stored or logged in clear).
 */
export async function createAdminCommand(
  config: Config,
  io: CliIo,
  options: { email?: string; username?: string },
): Promise<number> {
  if (!options.email || !options.username) {
    throw new UsageError('create-admin needs --email and --username.');
  }
  const piped = !io.stdin.isTTY;
  const password = piped ? await readFirstLine(io.stdin) : generatePassword();
  if (piped && password === '')
    throw new UsageError('No password on stdin (pipe one line, or run in a terminal).');

  return withPreparedDatabases(config, async (databases) => {
    const audit = openAuditLogger(config, databases.audit);
    const admin = await createAdmin(
      { db: databases.primary, audit },
      { email: options.email!, username: options.username!, password },
    ).finally(() => audit.close());
    io.stdout.write(`Created super admin ${admin.username} <${admin.email}> (id ${admin.userId}).\n`);
    if (!piped) io.stdout.write(`Password (shown once, store it now): ${password}\n`);
    return 0;
  });
}
