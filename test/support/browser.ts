import { existsSync } from 'node:fs';
import { describe } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';

/**
 * Pages are tested in Debian's Chromium (`apt-get install -y chromium`), driven by playwright-core.
 * Missing outside CI: the browser suites are skipped with a note; under CI=true that is a failure instead.
 */
export const CHROMIUM_PATH = process.env.HEIMDALL_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumAvailable = existsSync(CHROMIUM_PATH);

if (!chromiumAvailable && process.env.CI === 'true') {
  throw new Error(
    `CI=true but Chromium is not at ${CHROMIUM_PATH}: install it (apt-get install -y chromium); ` +
      'browser tests must not be skipped in CI.',
  );
}

export const describeWithBrowser = chromiumAvailable ? describe : describe.skip;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
