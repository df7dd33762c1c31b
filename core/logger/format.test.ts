import { describe, expect, it } from '@jest/globals';
import { chooseLogFormat, type LogFormat } from './format.js';

describe('chooseLogFormat', () => {
  it.each([
    // A person at a terminal outside production reads lines.
    [true, 'development', 'pretty'],
    [true, 'docker', 'pretty'],
    [true, 'test', 'pretty'],
    // Production stays JSON even when its runtime hands it a TTY.
    [true, 'production', 'json'],
    // Piped or redirected output is for a program, in any environment.
    [false, 'development', 'json'],
    [false, 'production', 'json'],
  ] as [boolean, string, LogFormat][])('auto, isTTY %s, env %s: %s', (isTTY, env, expected) => {
    expect(chooseLogFormat({ format: 'auto', isTTY, env })).toBe(expected);
  });

  it('pretty and json force the format whatever the terminal and environment', () => {
    for (const isTTY of [true, false]) {
      for (const env of ['development', 'production']) {
        expect(chooseLogFormat({ format: 'pretty', isTTY, env })).toBe('pretty');
        expect(chooseLogFormat({ format: 'json', isTTY, env })).toBe('json');
      }
    }
  });
});
