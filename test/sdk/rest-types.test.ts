import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { buildSdkTypes, SDK_TYPES_FILE } from '../../api/http/openapi/sdk-types.js';

/** Where two texts first part, or undefined when they are the same. */
function firstDifference(committed: string, built: string): string | undefined {
  if (committed === built) return undefined;
  const a = committed.split('\n');
  const b = built.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return (
    `sdk/rest/generated/openapi.ts is not what the routes describe: run \`npm run build\` and commit it. ` +
    `Line ${at + 1} is ${JSON.stringify(a[at] ?? '(end of file)')}, the routes give ${JSON.stringify(b[at] ?? '(end of file)')}.`
  );
}

describe('REST SDK types', () => {
  it('the committed sdk/rest/generated/openapi.ts is what the routes describe (run npm run build)', async () => {
    expect(firstDifference(await readFile(SDK_TYPES_FILE, 'utf8'), await buildSdkTypes())).toBeUndefined();
  });

  it('names the difference and what to run when the file is stale', () => {
    expect(firstDifference('a\nb\n', 'a\nc\n')).toMatch(
      /run `npm run build`.*Line 2 is "b", the routes give "c"/,
    );
    expect(firstDifference('a\n', 'a\nb\n')).toMatch(/Line 2 is "", the routes give "b"/);
  });
});
