import { describe, expect, it } from '@jest/globals';
import { SOCIAL_PLATFORM_IDS, socialSchema } from '../../../schemas/social.js';
import { createUpstreamProviders } from './index.js';

const deps = { firstUse: async () => true };

describe('createUpstreamProviders', () => {
  it('makes none by default', () => {
    expect(createUpstreamProviders(socialSchema.parse({}), deps).size).toBe(0);
  });

  it('makes one for each enabled platform with a client id; for Steam, with a Web API key', () => {
    const config = socialSchema.parse({
      twitch: { enabled: true, client_id: 'twitch-id', client_secret: 's' },
      discord: { enabled: true },
      github: { enabled: false, client_id: 'github-id' },
      google: { enabled: true, client_id: 'google-id', client_secret: 's' },
      steam: { enabled: true, client_secret: 'web-api-key' },
      kick: { enabled: true, client_id: 'kick-id' },
      trovo: { enabled: true, client_secret: 'no-id' },
    });
    const providers = createUpstreamProviders(config, deps);
    expect([...providers.keys()]).toEqual(['twitch', 'google', 'kick', 'steam']);
    for (const [id, provider] of providers) {
      expect(provider.id).toBe(id);
      expect(provider.scopes).toEqual(config[id].scopes);
      expect(provider.integrationScopes).toEqual(config[id].integration_scopes);
    }
  });

  it('makes no Steam provider without its Web API key', () => {
    const config = socialSchema.parse({ steam: { enabled: true, client_id: 'ignored' } });
    expect(createUpstreamProviders(config, deps).has('steam')).toBe(false);
  });

  it('knows every platform', () => {
    const all = Object.fromEntries(
      SOCIAL_PLATFORM_IDS.map((id) => [id, { enabled: true, client_id: 'id', client_secret: 'secret' }]),
    );
    expect([...createUpstreamProviders(socialSchema.parse(all), deps).keys()]).toEqual([
      ...SOCIAL_PLATFORM_IDS,
    ]);
  });
});
