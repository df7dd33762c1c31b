import path from 'node:path';
import { packageRoot } from '../core/shared/version.js';

/**
 * What the panel relies on in AdminJS beyond its documented options, in one place. Checked against adminjs
 * 7.8.x and @adminjs/express 6.1.x; `admin/adminjs-internals.test.ts` fails on an upgrade out of that range.
 *
 * - AdminJS reads `ADMIN_JS_TMP_DIR` and `ADMIN_JS_SKIP_BUNDLE` from the environment when its modules load, and
 *   would otherwise bundle components into `.adminjs/` at start-up (a dot folder Express 5 refuses to serve).
 *   The panel's bundle is built by `npm run build` instead, so this module must be imported before `adminjs`.
 * - The page AdminJS renders (`layout-template.js`) loads Roboto from Google Fonts and has inline scripts:
 *   `securePage` drops the font link (nothing is fetched from elsewhere) and gives each inline script the
 *   response's CSP nonce.
 */
export const ADMINJS_CHECKED_FROM = '7.8.0';
export const ADMINJS_CHECKED_BELOW = '7.9.0';

const root = packageRoot();
/** Where `npm run build` writes the panel's browser bundles (served at /admin/assets). */
export const ADMIN_ASSETS_DIR = path.join(root, 'dist', 'admin-assets');
/** AdminJS's scratch folder for the component bundle, used at build time only. */
export const ADMIN_BUILD_TMP_DIR = path.join(root, 'dist', 'admin-build');

process.env.ADMIN_JS_TMP_DIR ??= ADMIN_BUILD_TMP_DIR;
process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';

const FONT_LINK = /<link rel="stylesheet" href="https:\/\/fonts\.googleapis\.com[^>]*>/g;
const INLINE_SCRIPT = /<script>/g;
const HTML_LANG = /<html lang=[a-zA-Z-]+>/;

/**
 * AdminJS's page with nothing loaded from elsewhere, every inline script carrying `nonce`, and the page's
 * language the one its script will choose from the browser's (AdminJS writes its default language there).
 */
export function securePage(html: string, nonce: string, lang: string): string {
  return html
    .replace(FONT_LINK, '')
    .replace(INLINE_SCRIPT, `<script nonce="${nonce}">`)
    .replace(HTML_LANG, `<html lang="${lang}">`);
}
