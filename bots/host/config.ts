import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { z } from 'zod';
import type { HeimdallAuth } from '../../sdk/rest/index.js';

/**
 * A secret given inline (discouraged), as a file (a mounted secret), or in the environment variable the
 * process documents; files and the environment keep it out of a TOML that gets copied around.
 */
const secretFields = <K extends string>(name: K) =>
  ({
    [name]: z.string().min(1).optional(),
    [`${name}_file`]: z.string().min(1).optional(),
  }) as Record<K | `${K}_file`, z.ZodOptional<z.ZodString>>;

export const hostConfigSchema = z
  .object({
    heimdall: z
      .object({
        url: z.string().url().describe('Where Heimdall is served'),
        /** Where people link their platform accounts; default: Heimdall's account area. */
        link_url: z.string().url().optional(),
        ...secretFields('api_key'),
        client_id: z.string().min(1).optional(),
        ...secretFields('client_secret'),
        /** Let people whose role requires 2FA run commands (a chat message proves no second factor). */
        allow_without_two_factor: z.boolean().default(false),
      })
      .strict(),
    health: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9464),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 9464 }),
    bot: z
      .object({
        /** Post security notices of linked members to a community's log channel (needs audit:read, users:read). */
        security_notices: z.boolean().default(true),
        /** Record platform role changes of members as bot_moderation_action events (Discord). */
        audit_member_roles: z.boolean().default(false),
      })
      .strict()
      .default({ security_notices: true, audit_member_roles: false }),
  })
  .passthrough();
export type HostConfig = z.infer<typeof hostConfigSchema>;

export class BotConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotConfigError';
  }
}

/** The zod issues as lines a person can act on: `heimdall.url: Invalid url`. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('\n');
}

/** Reads and checks a bot's TOML; throws BotConfigError naming the file and every problem. */
export function loadHostConfig(path: string): { host: HostConfig; raw: Record<string, unknown> } {
  let raw: Record<string, unknown>;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BotConfigError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (err) {
    // The parser quotes the line it stopped at, which may hold an inline secret: say where, not what.
    const { line, column } = err as { line?: number; column?: number };
    throw new BotConfigError(
      `Cannot read ${path}: it is not valid TOML${line ? ` (line ${line}, column ${column ?? 0})` : ''}.`,
    );
  }
  const parsed = hostConfigSchema.safeParse(raw);
  if (!parsed.success) throw new BotConfigError(`${path}:\n${describeIssues(parsed.error)}`);
  return { host: parsed.data, raw };
}

/** A platform's section, checked by its own schema. */
export function platformSection<T>(raw: Record<string, unknown>, name: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(raw[name] ?? {});
  if (!parsed.success) throw new BotConfigError(`[${name}]:\n${describeIssues(parsed.error, name)}`);
  return parsed.data;
}

/** Inline, else the file's first line, else the environment variable. */
export function readSecret(
  inline: string | undefined,
  file: string | undefined,
  envName: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (inline) return inline;
  if (file) {
    try {
      return readFileSync(file, 'utf8').split(/\r?\n/)[0]!.trim() || undefined;
    } catch (err) {
      throw new BotConfigError(`Cannot read the secret file ${file}: ${(err as Error).message}`);
    }
  }
  return env[envName] || undefined;
}

/** An API key, or client credentials; one of them is required. */
export function heimdallAuth(config: HostConfig['heimdall'], env: NodeJS.ProcessEnv): HeimdallAuth {
  const apiKey = readSecret(config.api_key, config.api_key_file, 'HEIMDALL_BOT_API_KEY', env);
  if (apiKey) return { apiKey };
  const clientSecret = readSecret(
    config.client_secret,
    config.client_secret_file,
    'HEIMDALL_BOT_CLIENT_SECRET',
    env,
  );
  if (config.client_id && clientSecret) {
    return { clientCredentials: { clientId: config.client_id, clientSecret } };
  }
  throw new BotConfigError(
    '[heimdall] needs a credential: api_key_file (or HEIMDALL_BOT_API_KEY), or client_id with client_secret_file (or HEIMDALL_BOT_CLIENT_SECRET).',
  );
}
