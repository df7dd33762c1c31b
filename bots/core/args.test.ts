import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ArgParseError, parseArgs, splitCommand, usage, type ArgSpec } from './args.js';
import { MAX_DURATION_MS, parseDuration } from './duration.js';

const ban: ArgSpec[] = [
  { name: 'user', kind: 'user' },
  { name: 'duration', kind: 'duration', optional: true },
  { name: 'reason', kind: 'text', optional: true },
];

const failure = (specs: ArgSpec[], line: string): ArgParseError => {
  try {
    parseArgs(specs, line);
  } catch (err) {
    if (err instanceof ArgParseError) return err;
    throw err;
  }
  throw new Error(`"${line}" parsed`);
};

describe('parseArgs', () => {
  it('reads words, quoted strings, numbers, durations, mentions and the rest of the line', () => {
    expect(parseArgs(ban, '<@42> 1h30m  spamming "links"  ')).toEqual({
      user: { kind: 'user', mention: '<@42>' },
      duration: { kind: 'duration', value: 5_400_000, text: '1h30m' },
      reason: { kind: 'text', value: 'spamming "links"' },
    });
    const specs: ArgSpec[] = [
      { name: 'title', kind: 'string' },
      { name: 'count', kind: 'integer' },
    ];
    expect(parseArgs(specs, '"hello \\"big\\" world" -7')).toEqual({
      title: { kind: 'string', value: 'hello "big" world' },
      count: { kind: 'integer', value: -7, text: '-7' },
    });
    expect(parseArgs(ban, '@someone')).toEqual({ user: { kind: 'user', mention: '@someone' } });
  });

  it('names the argument at fault', () => {
    expect(failure(ban, '')).toMatchObject({ code: 'missing_argument', argument: { name: 'user' } });
    expect(failure(ban, 'x soon')).toMatchObject({
      code: 'invalid_argument',
      argument: { name: 'duration' },
      value: 'soon',
    });
    expect(failure([{ name: 'n', kind: 'integer' }], '1.5')).toMatchObject({
      code: 'invalid_argument',
      argument: { name: 'n' },
    });
    expect(failure([{ name: 's', kind: 'string' }], '"open')).toMatchObject({ code: 'unterminated_quote' });
    expect(failure([{ name: 's', kind: 'string' }], 'a b')).toMatchObject({ code: 'too_many_arguments' });
  });

  it('answers parsed arguments or an ArgParseError for any input, never another throw', () => {
    const kinds = fc.constantFrom('string', 'integer', 'duration', 'user', 'text' as const);
    const specsArb = fc
      .array(fc.record({ kind: kinds, optional: fc.boolean() }), { maxLength: 4 })
      .map((list) => {
        const specs: ArgSpec[] = list.map((s, i) => ({ name: `a${i}`, kind: s.kind, optional: s.optional }));
        // The registry keeps text last; parseArgs is only asked about such lists.
        return [...specs.filter((s) => s.kind !== 'text'), ...specs.filter((s) => s.kind === 'text')];
      });
    const lineArb = fc.oneof(
      fc.string(),
      fc
        .array(fc.constantFrom('"', '\\', ' ', '\t', 'x', '12', '-3', '10m', '7d', '<@1>', '""'), {
          maxLength: 12,
        })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(specsArb, lineArb, (specs, line) => {
        try {
          const args = parseArgs(specs, line);
          for (const [name, arg] of Object.entries(args)) {
            expect(specs.find((s) => s.name === name)?.kind).toBe(arg.kind);
            if (arg.kind === 'integer') expect(Number.isSafeInteger(arg.value)).toBe(true);
            if (arg.kind === 'duration') expect(arg.value).toBeGreaterThan(0);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ArgParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('durations and usage', () => {
  it('reads s, m, h, d, w and refuses zero, nonsense and more than a year', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('0m')).toBeUndefined();
    expect(parseDuration('m')).toBeUndefined();
    expect(parseDuration('1y')).toBeUndefined();
    expect(parseDuration('400d')).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ms = parseDuration(text);
        expect(ms === undefined || (ms > 0 && ms <= MAX_DURATION_MS)).toBe(true);
      }),
    );
  });

  it('splits the command name off and writes usage lines', () => {
    expect(splitCommand('  BAN <@1> 1h')).toEqual({ name: 'ban', rest: '<@1> 1h' });
    expect(splitCommand('   ')).toBeUndefined();
    expect(usage('ban', ban)).toBe('ban <user> [duration] [reason…]');
  });
});
