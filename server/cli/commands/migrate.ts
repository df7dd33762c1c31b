import { auditStorageSettings, createMigrator } from '../../../core/db/databases.js';
import type { Config } from '../../../schemas/config.js';
import { UsageError, type CliIo } from '../io.js';
import { withDatabases } from './database.js';

/** `heimdall migrate up|down|status [--all]` over both migration sets (primary, then audit). */
export async function migrateCommand(
  config: Config,
  io: CliIo,
  action: string,
  all: boolean,
): Promise<number> {
  if (!['up', 'down', 'status'].includes(action)) {
    throw new UsageError(`Unknown migrate action "${action}". Use up, down or status.`);
  }
  const settings = auditStorageSettings(config);
  return withDatabases(config, async (databases) => {
    const sets = [
      createMigrator(databases.primary, 'core', settings),
      createMigrator(databases.audit, 'audit', settings),
    ] as const;
    const labels = ['core', 'audit'] as const;
    for (const [i, migrator] of sets.entries()) {
      const label = labels[i];
      if (action === 'up') {
        const applied = await migrator.up();
        io.stdout.write(
          `${label}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}\n`,
        );
      } else if (action === 'down') {
        const reverted = await migrator.down(all);
        io.stdout.write(
          `${label}: ${reverted.length ? `rolled back ${reverted.join(', ')}` : 'nothing to roll back'}\n`,
        );
      } else {
        const status = await migrator.status();
        io.stdout.write(`${label}: ${status.completed.length} applied, ${status.pending.length} pending\n`);
        for (const name of status.completed) io.stdout.write(`  [x] ${name}\n`);
        for (const name of status.pending) io.stdout.write(`  [ ] ${name}\n`);
      }
    }
    return 0;
  });
}
