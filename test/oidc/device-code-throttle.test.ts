import { describe, expect, it } from '@jest/globals';
import { client, createOAuthClient, forms, Person, relyingParty, useOidcPlatform } from '../support/oidc.js';

/** RFC 8628 §5.1: wrong user codes on the verification page are limited per IP address. */
describe('Heimdall ID: device user codes are throttled', () => {
  const t = useOidcPlatform({ HEIMDALL__OIDC__DEVICE_USER_CODE__MAX_WRONG_PER_IP: '3' });

  async function enter(person: Person, userCode: string) {
    const input = await person.follow(`${t.url}/oidc/device`, 'never');
    const [codeForm] = forms(input.body, t.url);
    return person.follow(codeForm!.action, 'never', { form: { ...codeForm!.fields, user_code: userCode } });
  }

  it('refuses every entry from an address after three wrong codes, with a clear message', async () => {
    const c = await createOAuthClient(t.db, {
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'],
      firstParty: true,
    });
    const device = await client.initiateDeviceAuthorization(await relyingParty(t.url, c), {
      scope: 'openid',
    });

    for (let i = 0; i < 3; i++) {
      const wrong = await enter(new Person(t.url), 'BCDF-GHJK');
      expect(wrong.status).toBe(200);
      expect(wrong.body).toContain('That code is not valid.');
    }
    // A new browser (new cookies) from the same address is refused too, even with the right code.
    const refused = await enter(new Person(t.url), device.user_code);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('Too many wrong codes were entered from your network.');
  });
});
