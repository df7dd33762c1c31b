import { describe, expect, it } from '@jest/globals';
import { installedVersion, withinRange } from '../test/support/installed.js';
import { ADMINJS_CHECKED_BELOW, ADMINJS_CHECKED_FROM, securePage } from './adminjs-internals.js';

/**
 * Fails on an AdminJS upgrade that moves what adminjs-internals.ts relies on: re-check it, then move the range.
 * The pages are AdminJS's own, rendered by the installed version.
 */
describe('AdminJS internals', () => {
  it('the installed adminjs is within the checked range', () => {
    expect(withinRange(installedVersion('adminjs'), ADMINJS_CHECKED_FROM, ADMINJS_CHECKED_BELOW)).toBe(true);
  });

  it('AdminJS reads its bundle folder from the environment we set before it loads', async () => {
    await import('./adminjs-internals.js');
    const constants = (await import('adminjs/bundler' as string)) as { ADMIN_JS_TMP_DIR: string };
    expect(constants.ADMIN_JS_TMP_DIR).toBe(process.env.ADMIN_JS_TMP_DIR);
    expect(process.env.ADMIN_JS_SKIP_BUNDLE).toBe('true');
  });

  it("secures AdminJS's rendered sign-in page: no font from Google, every inline script with the nonce", async () => {
    const { default: AdminJS } = await import('adminjs');
    const admin = new AdminJS({ rootPath: '/admin', assetsCDN: 'http://127.0.0.1/admin/assets/' });
    const html = await admin.renderLogin({ action: '/admin/login', errorMessage: null });
    expect(html).toContain('fonts.googleapis.com');
    expect(html).toMatch(/<html lang=en>/);
    const page = securePage(html, 'n0nce', 'de');
    expect(page).not.toContain('fonts.googleapis.com');
    expect(page).toContain('<html lang="de">');
    const inline = [...page.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
    expect(inline.length).toBeGreaterThan(0);
    for (const attributes of inline) expect(attributes).toContain('nonce="n0nce"');
  });
});
