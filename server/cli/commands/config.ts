import { stringify } from 'smol-toml';
import { redactConfig } from '../../../core/config/index.js';
import type { Config } from '../../../schemas/config.js';
import type { CliIo } from '../io.js';

/** `heimdall config`: the effective configuration after all four tiers, as TOML, secrets redacted. */
export function configCommand(config: Config, io: CliIo): number {
  // JSON round trip drops unset (undefined) values, which TOML cannot express.
  const printable = JSON.parse(JSON.stringify(redactConfig(config))) as Record<string, unknown>;
  io.stdout.write(`${stringify(printable)}\n`);
  return 0;
}
