import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import { createSecretBox } from '../../core/crypto/secret-box.js';
import { newTotpSecret, totpCode } from '../../core/two-factor/totp.js';
import { createPasswordUser } from './oidc.js';
import { TEST_ENCRYPTION_KEY } from './platform.js';

/**
 * Admin panel helpers: people with a password and (where their role requires it) an authenticator app whose
 * secret the test knows, and signing in to /admin through Heimdall ID's real pages.
 */
export interface PanelPerson {
  id: string;
  email: string;
  username: string;
  password: string;
  /** The TOTP secret, when 2FA is on. */
  totp: string | undefined;
}

export async function createPanelPerson(
  db: Knex,
  options: { roleIds: string[]; twoFactor?: boolean },
): Promise<PanelPerson> {
  const user = await createPasswordUser(db, { roleIds: options.roleIds });
  let totp: string | undefined;
  if (options.twoFactor ?? true) {
    totp = newTotpSecret();
    await db('UserTwoFactor').insert({
      user_id: user.id,
      secret_encrypted: createSecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64')).seal(
        totp,
        `totp:${user.id}`,
      ),
      enabled: true,
      enabled_at: new Date(),
    });
  }
  return { ...user, totp };
}

/**
 * A code from the person's app that the platform has not seen yet: it takes each time step once, and a step at
 * most one ahead of the clock, so a second sign-in within the same half minute waits for the next step.
 */
const used = new Map<string, number>();
export async function nextCode(secret: string): Promise<string> {
  const nowStep = Math.floor(Date.now() / 30_000);
  const step = Math.max(nowStep, (used.get(secret) ?? -1) + 1);
  if (step > nowStep + 1)
    await new Promise((resolve) => setTimeout(resolve, (step - 1) * 30_000 - Date.now() + 50));
  used.set(secret, step);
  return totpCode(secret, { epoch: step * 30 });
}

/**
 * From /admin to the panel: the panel's sign-in page, Heimdall ID's password page, its code page when the person
 * has 2FA, and back. Answers when the browser is back under /admin.
 */
export async function signInToPanel(page: Page, baseUrl: string, person: PanelPerson): Promise<void> {
  await page.goto(`${baseUrl}/admin`);
  await page.getByTestId('admin-sign-in').click();
  await page.locator('#email').fill(person.email);
  await page.locator('#password').fill(person.password);
  await page.locator('#password').press('Enter');
  if (person.totp) {
    const code = page.locator('#code');
    await code.waitFor();
    await code.fill(await nextCode(person.totp));
    await code.press('Enter');
  }
  await page.waitForURL(
    (url) => url.pathname.startsWith('/admin') && !url.pathname.startsWith('/admin/login/start'),
  );
}
