import { parseDuration } from './duration.js';

/**
 * What an argument holds: `string` one word or a quoted string, `integer` a whole number, `duration` `10m`,
 * `1h`, `7d` (milliseconds), `user` a mention the platform adapter resolves, `text` the rest of the line.
 */
export type ArgKind = 'string' | 'integer' | 'duration' | 'user' | 'text';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  optional?: boolean;
  /** Left out of the audit trail (a reason may be harmless, a token never is). */
  secret?: boolean;
}

/** An argument as parsed, before the adapter resolved mentions: `user` holds the mention as written. */
export type RawArg =
  | { kind: 'string'; value: string }
  | { kind: 'text'; value: string }
  | { kind: 'integer'; value: number; text: string }
  | { kind: 'duration'; value: number; text: string }
  | { kind: 'user'; mention: string };

export type ArgErrorCode =
  'missing_argument' | 'invalid_argument' | 'unterminated_quote' | 'too_many_arguments';

/** Why a command line does not fit its command's arguments; `argument` names the one at fault. */
export class ArgParseError extends Error {
  constructor(
    readonly code: ArgErrorCode,
    readonly argument?: ArgSpec,
    readonly value?: string,
  ) {
    super(argument ? `${code}: ${argument.name}` : code);
    this.name = 'ArgParseError';
  }
}

/** Reads words and quoted strings off a line, and hands over what is left for a `text` argument. */
class Cursor {
  private at = 0;
  constructor(private readonly line: string) {}

  private skipSpace(): void {
    while (this.at < this.line.length && /\s/.test(this.line[this.at]!)) this.at++;
  }

  done(): boolean {
    this.skipSpace();
    return this.at >= this.line.length;
  }

  /** The next word, or quoted string without its quotes (`\"` and `\\` inside); undefined at the end. */
  next(): string | undefined {
    if (this.done()) return undefined;
    if (this.line[this.at] !== '"') {
      const start = this.at;
      while (this.at < this.line.length && !/\s/.test(this.line[this.at]!)) this.at++;
      return this.line.slice(start, this.at);
    }
    let out = '';
    for (let i = this.at + 1; i < this.line.length; i++) {
      const ch = this.line[i]!;
      if (ch === '\\' && (this.line[i + 1] === '"' || this.line[i + 1] === '\\')) {
        out += this.line[++i];
      } else if (ch === '"') {
        this.at = i + 1;
        return out;
      } else {
        out += ch;
      }
    }
    throw new ArgParseError('unterminated_quote');
  }

  rest(): string {
    this.skipSpace();
    const rest = this.line.slice(this.at).trimEnd();
    this.at = this.line.length;
    return rest;
  }
}

function convert(spec: ArgSpec, word: string): RawArg {
  switch (spec.kind) {
    case 'string':
      return { kind: 'string', value: word };
    case 'text':
      return { kind: 'text', value: word };
    case 'integer': {
      const value = /^[+-]?\d{1,15}$/.test(word) ? Number(word) : NaN;
      if (!Number.isSafeInteger(value)) throw new ArgParseError('invalid_argument', spec, word);
      return { kind: 'integer', value, text: word };
    }
    case 'duration': {
      const value = parseDuration(word.toLowerCase());
      if (value === undefined) throw new ArgParseError('invalid_argument', spec, word);
      return { kind: 'duration', value, text: word };
    }
    case 'user':
      return { kind: 'user', mention: word };
  }
}

/** The first word of a line (the command's name) and the rest, after the prefix was taken off. */
export function splitCommand(line: string): { name: string; rest: string } | undefined {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(line);
  return match ? { name: match[1]!.toLowerCase(), rest: match[2]! } : undefined;
}

/**
 * The arguments of a command line, by name, as `specs` declare them in order: throws ArgParseError and nothing
 * else. A `text` argument takes the rest of the line as written, so it belongs last.
 */
export function parseArgs(specs: readonly ArgSpec[], line: string): Record<string, RawArg> {
  const cursor = new Cursor(line);
  const args: Record<string, RawArg> = {};
  for (const spec of specs) {
    const word = spec.kind === 'text' ? cursor.rest() || undefined : cursor.next();
    if (word === undefined) {
      if (spec.optional) continue;
      throw new ArgParseError('missing_argument', spec);
    }
    args[spec.name] = convert(spec, word);
  }
  if (!cursor.done()) throw new ArgParseError('too_many_arguments');
  return args;
}

/** How a command is written, for error replies: `ban <user> [duration] [reason…]`. */
export function usage(name: string, specs: readonly ArgSpec[]): string {
  const parts = specs.map((s) => {
    const label = s.kind === 'text' ? `${s.name}…` : s.name;
    return s.optional ? `[${label}]` : `<${label}>`;
  });
  return [name, ...parts].join(' ');
}
