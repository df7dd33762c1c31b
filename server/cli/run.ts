import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../core/config/index.js';
import { prepareDatabases } from '../../core/db/databases.js';
import { withDatabases } from './commands/database.js';
import { AppError } from '../../core/errors/index.js';
import { botCommand } from './commands/bot.js';
import { configCommand } from './commands/config.js';
import { createAdminCommand } from './commands/create-admin.js';
import { createApiKeyCommand } from './commands/create-api-key.js';
import { migrateCommand } from './commands/migrate.js';
import { startCommand } from './commands/start.js';
import { rotateSigningKeyCommand } from './commands/rotate-signing-key.js';
import { UsageError, type CliIo } from './io.js';

export const USAGE = `Usage: heimdall <command> [options]

Commands:
  start [--roles api|all]              Migrate, seed and serve (all roles by default)
  migrate [up|down|status] [--all]     Manage the schema of the primary and audit databases
  seed                                 Apply the idempotent seeds (roles, permissions, platforms)
  config                               Print the effective configuration, secrets redacted
  create-admin --email E --username U  Create a super admin; password from stdin, or generated and printed once
  create-api-key --name N --roles a,b [--scopes s1,s2] [--user EMAIL] [--system]
                                       Create an API key and print it once (for automation and bots)
  rotate-signing-key                   Make a new Heimdall ID signing key active (the old one stays published
                                       until its tokens have expired)
  bot discord|twitch|youtube [--config FILE]
                                       Run a chat bot against a Heimdall it reaches over HTTP (its own TOML:
                                       --config, else $HEIMDALL_BOT_CONFIG, else config/bot.toml; docs/bots.md)
  help                                 Show this help

Configuration: config/default.toml → config/$HEIMDALL_ENV.toml → config/local.toml → HEIMDALL__SECTION__KEY
`;

/** Exit codes: 0 success, 1 the command failed, 2 bad usage or bad configuration. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        roles: { type: 'string' },
        all: { type: 'boolean', default: false },
        email: { type: 'string' },
        username: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'string' },
        user: { type: 'string' },
        system: { type: 'boolean', default: false },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command = 'help', ...rest] = positionals;
    if (command === 'help' || values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    // A bot is an app of Heimdall's, not a part: it reads its own TOML, not Heimdall's configuration.
    if (command === 'bot') return await botCommand(rest[0], values.config, io);
    const known = [
      'start',
      'migrate',
      'seed',
      'config',
      'create-admin',
      'create-api-key',
      'rotate-signing-key',
    ];
    if (!known.includes(command)) throw new UsageError(`Unknown command "${command}".`);
    const config = loadConfig({ vars: io.env });
    switch (command) {
      case 'start':
        return await startCommand(config, values.roles, io.env);
      case 'migrate':
        return await migrateCommand(config, io, rest[0] ?? 'up', values.all);
      case 'seed':
        return await withDatabases(config, async (databases) => {
          const { seeds } = await prepareDatabases(databases, config);
          io.stdout.write(
            `Seeds applied: ${seeds.platforms} platforms, ${seeds.permissions} permissions, ${seeds.roles} roles, ` +
              `${seeds.rolePermissions} role permissions added (existing data is never changed).\n`,
          );
          return 0;
        });
      case 'config':
        return configCommand(config, io);
      case 'create-api-key':
        return await createApiKeyCommand(config, io, values);
      case 'rotate-signing-key':
        return await rotateSigningKeyCommand(config, io);
      default:
        return await createAdminCommand(config, io, values);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof AppError) {
      io.stderr.write(`Error: ${err.message}\n`);
      return 1;
    }
    io.stderr.write(`Error: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}
