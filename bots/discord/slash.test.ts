import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseArgs, splitCommand, type ArgSpec } from '../core/args.js';
import { discordBotConfigSchema, discordToken } from './config.js';
import { slashCommand, slashText } from './slash.js';

/** The runtime's view of a rebuilt line: the command's name and its parsed arguments. */
function reparse(specs: ArgSpec[], values: Record<string, string | number>) {
  const line = slashText('cmd', specs, new Map(Object.entries(values)));
  if (!line.ok) throw new Error(`missing ${line.missing.name}`);
  const split = splitCommand(line.text)!;
  return { name: split.name, args: parseArgs(specs, split.rest) };
}

describe('slash options as a command line', () => {
  it('round-trips any string option through the runtime parser', () => {
    const specs: ArgSpec[] = [
      { name: 'a', kind: 'string' },
      { name: 'b', kind: 'string' },
    ];
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (a, b) => {
        const { name, args } = reparse(specs, { a, b });
        expect(name).toBe('cmd');
        expect(args).toEqual({ a: { kind: 'string', value: a }, b: { kind: 'string', value: b } });
      }),
    );
  });

  it('keeps the text option last as written, after strings and users', () => {
    const specs: ArgSpec[] = [
      { name: 'user', kind: 'user' },
      { name: 'label', kind: 'string' },
      { name: 'reason', kind: 'text' },
    ];
    fc.assert(
      fc.property(
        fc.string(),
        fc.string().filter((t) => t.trim() !== ''),
        (label, reason) => {
          const { args } = reparse(specs, { user: '123456789012345678', label, reason });
          expect(args).toEqual({
            user: { kind: 'user', mention: '<@123456789012345678>' },
            label: { kind: 'string', value: label },
            // Discord trims option values itself; the parser does too.
            reason: { kind: 'text', value: reason.trim() },
          });
        },
      ),
    );
  });

  it('writes integers and durations so the runtime reads them', () => {
    const specs: ArgSpec[] = [
      { name: 'n', kind: 'integer' },
      { name: 'd', kind: 'duration' },
    ];
    expect(reparse(specs, { n: -42, d: '1h30m' }).args).toEqual({
      n: { kind: 'integer', value: -42, text: '-42' },
      d: { kind: 'duration', value: 5_400_000, text: '1h30m' },
    });
  });

  it('names the optional option left out before one that is given', () => {
    const specs: ArgSpec[] = [
      { name: 'user', kind: 'user' },
      { name: 'duration', kind: 'duration', optional: true },
      { name: 'reason', kind: 'text', optional: true },
    ];
    expect(slashText('ban', specs, new Map([['user', '1']]))).toEqual({ ok: true, text: 'ban <@1>' });
    expect(
      slashText(
        'ban',
        specs,
        new Map([
          ['user', '1'],
          ['reason', 'x'],
        ]),
      ),
    ).toEqual({
      ok: false,
      missing: specs[1],
    });
  });

  it('derives the slash command from the argument specs', () => {
    expect(
      slashCommand({
        name: 'count',
        args: [
          { name: 'n', kind: 'integer' },
          { name: 'who', kind: 'user', optional: true },
        ],
        handler: () => undefined,
      }),
    ).toEqual({
      name: 'count',
      description: 'count',
      options: [
        {
          name: 'n',
          description: 'n',
          type: 4,
          required: true,
          min_value: -999_999_999_999_999,
          max_value: 999_999_999_999_999,
        },
        { name: 'who', description: 'who', type: 6, required: false },
      ],
    });
  });
});

describe('the Discord TOML section', () => {
  it('takes the token inline or from a file, and exactly one of them', async () => {
    const inline = discordBotConfigSchema.parse({ token: 'abc' });
    expect(inline.api_url).toBe('https://discord.com/api');
    await expect(discordToken(inline)).resolves.toBe('abc');

    const file = path.join(await mkdtemp(path.join(tmpdir(), 'discord-')), 'token');
    await writeFile(file, 'from-file\n');
    const fromFile = discordBotConfigSchema.parse({ token_file: file, guild_ids: ['123'] });
    await expect(discordToken(fromFile)).resolves.toBe('from-file');

    expect(discordBotConfigSchema.safeParse({}).success).toBe(false);
    expect(discordBotConfigSchema.safeParse({ token: 'a', token_file: file }).success).toBe(false);
    expect(discordBotConfigSchema.safeParse({ token: 'a', guild_ids: ['general'] }).success).toBe(false);
    expect(discordBotConfigSchema.safeParse({ token: 'a', api_url: 'not a url' }).success).toBe(false);
  });
});
