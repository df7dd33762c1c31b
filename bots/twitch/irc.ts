/** One IRC line as Twitch sends it: IRCv3 tags, the source, the command and its parameters. */
export interface IrcMessage {
  tags: Record<string, string>;
  /** `nick!user@host` or a server name; absent on lines a client sends. */
  prefix?: string;
  command: string;
  params: string[];
}

const UNESCAPED: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };
const ESCAPED: Record<string, string> = { ';': '\\:', ' ': '\\s', '\\': '\\\\', '\r': '\\r', '\n': '\\n' };

/** A tag value as written on the wire (IRCv3 message-tags): `;`, space, `\`, CR and LF escaped. */
export function escapeTag(value: string): string {
  return value.replace(/[; \\\r\n]/g, (c) => ESCAPED[c]!);
}

/** A tag value as meant: an unknown escape stands for its character, a lone trailing `\` for nothing. */
export function unescapeTag(value: string): string {
  return value.replace(/\\(.?)/gs, (_, c: string) => UNESCAPED[c] ?? c);
}

/** The line's parts, or undefined for a line with no command (empty, or only tags and a prefix). */
export function parseLine(line: string): IrcMessage | undefined {
  let rest = line.replace(/[\r\n]+$/, '');
  const tags: Record<string, string> = {};
  if (rest.startsWith('@')) {
    const end = rest.indexOf(' ');
    if (end < 0) return undefined;
    for (const pair of rest.slice(1, end).split(';')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      if (eq < 0) tags[pair] = '';
      else tags[pair.slice(0, eq)] = unescapeTag(pair.slice(eq + 1));
    }
    rest = rest.slice(end + 1).trimStart();
  }
  let prefix: string | undefined;
  if (rest.startsWith(':')) {
    const end = rest.indexOf(' ');
    if (end < 0) return undefined;
    prefix = rest.slice(1, end);
    rest = rest.slice(end + 1).trimStart();
  }
  const params: string[] = [];
  let command = '';
  while (rest) {
    if (command && rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const end = rest.indexOf(' ');
    const word = end < 0 ? rest : rest.slice(0, end);
    if (command) params.push(word);
    else command = word.toUpperCase();
    rest = end < 0 ? '' : rest.slice(end + 1).trimStart();
  }
  if (!command) return undefined;
  return { tags, ...(prefix === undefined ? {} : { prefix }), command, params };
}

/**
 * One line to send, without CRLF. The last parameter is always written as trailing, so it may hold spaces or be
 * empty; CR and LF anywhere would end the line early and let text smuggle in a command, so they become spaces.
 */
export function formatLine(message: Omit<IrcMessage, 'tags'> & { tags?: Record<string, string> }): string {
  const clean = (text: string) => text.replace(/[\r\n]/g, ' ');
  const parts: string[] = [];
  const tags = Object.entries(message.tags ?? {});
  if (tags.length) parts.push(`@${tags.map(([k, v]) => (v ? `${k}=${escapeTag(v)}` : k)).join(';')}`);
  if (message.prefix) parts.push(`:${message.prefix}`);
  parts.push(message.command);
  const params = message.params.map(clean);
  const last = params.pop();
  parts.push(...params);
  if (last !== undefined) parts.push(`:${last}`);
  return parts.join(' ');
}

/** The nick of a `nick!user@host` source. */
export const nickOf = (prefix: string | undefined): string => (prefix ?? '').split('!')[0]!;
