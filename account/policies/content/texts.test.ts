import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LOCALES } from '../../../core/i18n/locales.js';
import { configSchema } from '../../../schemas/config.js';
import { POLICY_PAGES } from '../../../schemas/policies.js';
import { renderMarkdown } from '../markdown.js';
import { policySettings } from '../settings.js';
import { BUILT_IN } from './index.js';
import { contactText, duration } from './text.js';

const rendered = (input: Record<string, unknown>) => {
  const { facts } = policySettings(configSchema.parse(input));
  return (page: (typeof POLICY_PAGES)[number], locale: (typeof LOCALES)[number]) =>
    renderMarkdown(BUILT_IN[page][locale].markdown(facts)).body.value;
};

/** The markup of a page without its text and link targets: what a configured value must not change. */
const shape = (out: string) => [...out.matchAll(/<\/?[a-z][a-z0-9]*/g)].map((m) => m[0]).join(' ');

const unescape = (text: string) =>
  text.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

describe('built-in policy texts', () => {
  const contacts = fc.oneof(
    fc.emailAddress().map((e) => `mailto:${e}`),
    fc.webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true }),
  );
  const plain = rendered({ policies: { security_contact: 'mailto:security@example.org' } });

  it('keep their markup whatever the security contact is, and show it as a link', () => {
    fc.assert(
      fc.property(contacts, (contact) => {
        const page = rendered({ policies: { security_contact: contact } });
        for (const name of POLICY_PAGES)
          for (const locale of LOCALES) expect(shape(page(name, locale))).toBe(shape(plain(name, locale)));
        // markdown-it percent-encodes the href; the text shows the contact as configured.
        const links = [...page('security', 'en').matchAll(/<a href="(?:mailto|https):[^"]*">([^<]*)<\/a>/g)];
        expect(links.map((l) => unescape(l[1]!))).toContain(contactText(contact));
      }),
      { numRuns: 200 },
    );
  });

  it('state the configured lengths of time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 60, max: 90 * 86_400 }),
        (grace, ttl) => {
          const page = rendered({ accounts: { deletion_grace_days: grace }, sessions: { ttl } });
          expect(page('faq', 'en')).toContain(`erased after ${duration(grace * 86_400, 'en')}.`);
          expect(page('faq', 'de')).toContain(`Karenzzeit (${duration(grace * 86_400, 'de')})`);
          expect(page('cookies', 'en')).toContain(`up to ${duration(ttl, 'en')}, or until you sign out`);
        },
      ),
      { numRuns: 100 },
    );
    expect(duration(14 * 86_400, 'en')).toBe('14 days');
    expect(duration(3600, 'de')).toBe('1 Stunde');
    expect(duration(5400, 'de')).toBe('90 Minuten');
  });

  it('name every cookie by its configured name', () => {
    const out = rendered({ sessions: { cookie_names: { id: 'sso.example', backend: 'panel.example' } } })(
      'cookies',
      'de',
    );
    for (const name of [
      'sso.example',
      'panel.example',
      '_session',
      'heimdall.csrf',
      'heimdall.2fa',
      'XSRF-TOKEN',
    ])
      expect(out).toContain(`<code>${name}</code>`);
    expect(out).not.toContain('style=');
  });
});
