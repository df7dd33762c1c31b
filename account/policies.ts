import { Router } from 'express';
import { pickLocale, type Locale } from '../core/i18n/locales.js';
import { html } from '../core/shared/html.js';
import { PAGE_CSP, page } from '../oidc/views/layout.js';

/**
 * Built-in /policies/terms and /policies/privacy, linked from registration until the operator points
 * accounts.terms_url / privacy_url at their own. They state what this software does with data, which holds for
 * every Heimdall; the operator's name and legal terms belong in their own pages.
 */
const TEXT: Record<'terms' | 'privacy', Record<Locale, { title: string; paragraphs: string[] }>> = {
  terms: {
    en: {
      title: 'Terms of use',
      paragraphs: [
        'This Heimdall is run by its operator, who decides who may use it and for what.',
        'Keep your password to yourself and tell the operator if you think someone else used your account.',
        'Do not use the service to harm others or to get around the limits set on your account.',
        'The operator may suspend accounts that break these rules.',
      ],
    },
    de: {
      title: 'Nutzungsbedingungen',
      paragraphs: [
        'Dieses Heimdall wird von seinem Betreiber betrieben, der entscheidet, wer es wofür nutzen darf.',
        'Behalten Sie Ihr Passwort für sich und melden Sie dem Betreiber, wenn jemand anderes Ihr Konto benutzt haben könnte.',
        'Nutzen Sie den Dienst nicht, um anderen zu schaden oder die Grenzen Ihres Kontos zu umgehen.',
        'Der Betreiber kann Konten sperren, die gegen diese Regeln verstoßen.',
      ],
    },
  },
  privacy: {
    en: {
      title: 'Privacy policy',
      paragraphs: [
        'Heimdall stores your username, email address, a salted Argon2id hash of your password (never the password), your language and privacy settings, and the apps you allowed to use your account.',
        'For your security it records sign-ins, sessions and account changes with the IP address, browser and approximate location; you can see them in your account activity.',
        'Apps you connect receive only what you allowed on the consent page; you can disconnect them at any time.',
        'You can export your data and delete your account; deletion takes effect after a grace period.',
      ],
    },
    de: {
      title: 'Datenschutzerklärung',
      paragraphs: [
        'Heimdall speichert Ihren Benutzernamen, Ihre E-Mail-Adresse, einen gesalzenen Argon2id-Hash Ihres Passworts (nie das Passwort), Ihre Sprach- und Privatsphäre-Einstellungen und die Apps, denen Sie Zugriff gegeben haben.',
        'Zu Ihrer Sicherheit werden Anmeldungen, Sitzungen und Kontoänderungen mit IP-Adresse, Browser und ungefährem Ort protokolliert; Sie sehen sie in Ihrer Kontoaktivität.',
        'Verbundene Apps erhalten nur, was Sie auf der Zustimmungsseite erlaubt haben; Sie können sie jederzeit trennen.',
        'Sie können Ihre Daten exportieren und Ihr Konto löschen; die Löschung wird nach einer Karenzzeit wirksam.',
      ],
    },
  },
};

export function policiesRouter(): Router {
  const router = Router();
  for (const kind of ['terms', 'privacy'] as const) {
    router.get(`/policies/${kind}`, (req, res) => {
      const locale = pickLocale(undefined, req.get('accept-language'));
      const text = TEXT[kind][locale];
      res
        .set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'public, max-age=3600' })
        .type('html')
        .send(
          page({
            lang: locale,
            title: text.title,
            body: html`<h1>${text.title}</h1>
              ${text.paragraphs.map((p) => html`<p>${p}</p>`)}`,
          }),
        );
    });
  }
  return router;
}
