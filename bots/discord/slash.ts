import {
  ApplicationCommandOptionType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { ArgKind, ArgSpec } from '../core/args.js';
import type { Command } from '../core/commands.js';

const OPTION_TYPE: Record<
  ArgKind,
  | ApplicationCommandOptionType.String
  | ApplicationCommandOptionType.Integer
  | ApplicationCommandOptionType.User
> = {
  user: ApplicationCommandOptionType.User,
  integer: ApplicationCommandOptionType.Integer,
  duration: ApplicationCommandOptionType.String,
  string: ApplicationCommandOptionType.String,
  text: ApplicationCommandOptionType.String,
};

/** The runtime reads integers of at most 15 digits; Discord would take up to 2^53. */
const INTEGER_LIMIT = 999_999_999_999_999;

/**
 * A command as a Discord slash command. Discord refuses optional options before required ones; the runtime's
 * own order (required first by convention) is kept, so a command that breaks it fails at registration.
 */
export function slashCommand(command: Command): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return {
    name: command.name,
    description: command.name,
    options: (command.args ?? []).map((spec) => ({
      name: spec.name,
      description: spec.name,
      type: OPTION_TYPE[spec.kind],
      required: !spec.optional,
      ...(spec.kind === 'integer' ? { min_value: -INTEGER_LIMIT, max_value: INTEGER_LIMIT } : {}),
    })),
  } as RESTPostAPIChatInputApplicationCommandsJSONBody;
}

/** A word the runtime's parser reads back as itself: quoted (with `\"` and `\\`) when it has to be. */
export function quoteArg(value: string): string {
  return /^[^\s"]\S*$/.test(value) ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

export type SlashText = { ok: true; text: string } | { ok: false; missing: ArgSpec };

/**
 * The command line a slash invocation stands for, `name arg1 arg2…`, as the runtime parses chat: users as
 * `<@id>`, strings quoted when they must be, text last as is. Arguments are positional, so an optional one left
 * out while a later one is given cannot be written; that gives the one missing.
 */
export function slashText(
  name: string,
  specs: readonly ArgSpec[],
  values: ReadonlyMap<string, string | number | boolean>,
): SlashText {
  const words = [name];
  let skipped: ArgSpec | undefined;
  for (const spec of specs) {
    const value = values.get(spec.name);
    if (value === undefined) {
      skipped ??= spec;
      continue;
    }
    if (skipped) return { ok: false, missing: skipped };
    const text = String(value);
    if (spec.kind === 'user') words.push(`<@${text}>`);
    else if (spec.kind === 'text') words.push(text);
    else words.push(quoteArg(text));
  }
  return { ok: true, text: words.join(' ') };
}
