import { describe, expect, it } from '@jest/globals';
import { configSchema } from '../../schemas/config.js';
import { absolutePolicyUrl, policyHref, policySettings } from './settings.js';

const settingsOf = (input: Record<string, unknown>) => policySettings(configSchema.parse(input));

describe('policy settings', () => {
  it('links the built-in pages and names security@ the public host by default', () => {
    const s = settingsOf({ server: { public_url: 'https://id.example.org/' } });
    expect(policyHref(s, 'privacy')).toBe('/policies/privacy');
    expect(s.elsewhere).toEqual({});
    expect(s.facts.securityContact).toBe('mailto:security@id.example.org');
    expect(absolutePolicyUrl(s, 'security')).toBe('https://id.example.org/policies/security');
  });

  it('takes policies.urls first, then the older accounts.terms_url and privacy_url', () => {
    const s = settingsOf({
      server: { public_url: 'https://id.example.org' },
      accounts: {
        terms_url: 'https://legal.example.org/terms',
        privacy_url: 'https://legal.example.org/old',
      },
      policies: { urls: { privacy: 'https://legal.example.org/privacy', security: '/security-policy' } },
    });
    expect(policyHref(s, 'terms')).toBe('https://legal.example.org/terms');
    expect(policyHref(s, 'privacy')).toBe('https://legal.example.org/privacy');
    expect(policyHref(s, 'cookies')).toBe('/policies/cookies');
    expect(absolutePolicyUrl(s, 'security')).toBe('https://id.example.org/security-policy');
  });

  it('refuses URLs and contacts that are not links', () => {
    for (const url of ['javascript:alert(1)', '//evil.example', 'ftp://x', 'relative/path', '/a b'])
      expect(configSchema.safeParse({ policies: { urls: { faq: url } } }).success).toBe(false);
    for (const contact of ['security@example.org', 'http://example.org', 'mailto:', 'mailto:a@b>'])
      expect(configSchema.safeParse({ policies: { security_contact: contact } }).success).toBe(false);
    expect(configSchema.safeParse({ policies: { security_contact: 'mailto:sec@example.org' } }).success).toBe(
      true,
    );
  });
});
