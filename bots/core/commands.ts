import type { ArgSpec } from './args.js';
import type { BotUser, IncomingMessage } from './adapter.js';
import type { BotLanguage } from './i18n.js';

/** An argument's value as a handler gets it: durations in milliseconds, mentions resolved. */
export type ArgValue = string | number | BotUser;

export interface CommandContext {
  message: IncomingMessage;
  /** By argument name; an optional argument not given is absent. */
  args: Record<string, ArgValue>;
  /** The author's Heimdall user, when the command needed a permission (and so Heimdall was asked). */
  heimdallUserId: string | undefined;
  language: BotLanguage;
  reply(text: string): Promise<void>;
}

export interface Command {
  /** Lowercase, no spaces: what follows the prefix. */
  name: string;
  aliases?: readonly string[];
  args?: readonly ArgSpec[];
  /** The Heimdall permission the author needs (`discord:moderate`); none: anyone may run it. */
  permission?: string;
  /** Per user and community, in milliseconds, counted from each run. */
  cooldownMs?: number;
  /** Throwing answers the author with the runtime's error reply and records the run as a failure. */
  handler(context: CommandContext): Promise<void> | void;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Commands by name and alias; a name or alias taken twice is a programming error, thrown at registration. */
export class CommandRegistry {
  private readonly byName = new Map<string, Command>();

  register(command: Command): this {
    const names = [command.name, ...(command.aliases ?? [])];
    for (const name of names) {
      if (!NAME.test(name)) throw new Error(`Command name "${name}" must match ${NAME}.`);
      if (this.byName.has(name)) throw new Error(`Command name "${name}" is taken.`);
    }
    const specs = command.args ?? [];
    const text = specs.findIndex((s) => s.kind === 'text');
    if (text !== -1 && text !== specs.length - 1) {
      throw new Error(`${command.name}: a text argument takes the rest of the line, so it must come last.`);
    }
    for (const name of names) this.byName.set(name, command);
    return this;
  }

  find(name: string): Command | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Every command once, in registration order. */
  list(): Command[] {
    return [...new Set(this.byName.values())];
  }
}
