import type { Locale } from '../../../core/i18n/locales.js';
import type { PolicyFacts } from '../settings.js';
import { duration, type BuiltInPolicy } from './text.js';

/**
 * Every cookie Heimdall sets, by the names in the code (oidc/, account/, admin/) and in sessions.cookie_names.
 * A cookie added there belongs here too.
 */
function rows(f: PolicyFacts, l: Locale): [name: string, purpose: string, lifetime: string][] {
  const en = l === 'en';
  const browserSession = en ? 'until you close the browser' : 'bis Sie den Browser schließen';
  return [
    [
      f.sessionCookie,
      en ? 'keeps you signed in (your Heimdall session)' : 'hält Sie angemeldet (Ihre Heimdall-Sitzung)',
      en
        ? `up to ${duration(f.sessionSeconds, l)}, or until you sign out`
        : `bis zu ${duration(f.sessionSeconds, l)} oder bis Sie sich abmelden`,
    ],
    [
      '_session',
      en
        ? 'your sign-in at Heimdall ID, so apps can sign you in without your password'
        : 'Ihre Anmeldung bei Heimdall ID, damit Apps Sie ohne Passwort anmelden können',
      en ? `up to ${duration(f.sessionSeconds, l)}` : `bis zu ${duration(f.sessionSeconds, l)}`,
    ],
    [
      '_interaction, _interaction_resume',
      en
        ? 'a sign-in or consent with an app that is in progress'
        : 'eine laufende Anmeldung oder Zustimmung bei einer App',
      en ? `up to ${duration(f.interactionSeconds, l)}` : `bis zu ${duration(f.interactionSeconds, l)}`,
    ],
    [
      'heimdall.csrf',
      en
        ? 'proves that a form was sent from this site (protection against cross-site request forgery)'
        : 'belegt, dass ein Formular von dieser Website gesendet wurde (Schutz vor Cross-Site-Request-Forgery)',
      browserSession,
    ],
    [
      'heimdall.2fa',
      en ? 'a sign-in waiting for your second factor' : 'eine Anmeldung, die auf Ihren zweiten Faktor wartet',
      en ? '10 minutes' : '10 Minuten',
    ],
    [
      'heimdall.social',
      en
        ? 'a sign-in through another platform (Twitch, Discord, …) in progress, encrypted'
        : 'eine laufende Anmeldung über eine andere Plattform (Twitch, Discord, …), verschlüsselt',
      en ? '10 minutes' : '10 Minuten',
    ],
    [
      f.adminCookie,
      en ? 'administrators only: the admin panel session' : 'nur Administratoren: die Sitzung der Verwaltung',
      en ? `up to ${duration(f.adminSessionSeconds, l)}` : `bis zu ${duration(f.adminSessionSeconds, l)}`,
    ],
    [
      'XSRF-TOKEN',
      en
        ? "administrators only: protects the admin panel's requests"
        : 'nur Administratoren: schützt die Anfragen der Verwaltung',
      browserSession,
    ],
  ];
}

const table = (f: PolicyFacts, l: Locale, head: [string, string, string]) =>
  [
    `| ${head.join(' | ')} |`,
    '| --- | --- | --- |',
    ...rows(f, l).map(([name, purpose, lifetime]) => {
      const names = name
        .split(', ')
        .map((n) => `\`${n}\``)
        .join(', ');
      return `| ${names} | ${purpose} | ${lifetime} |`;
    }),
  ].join('\n');

export const cookies: BuiltInPolicy = {
  en: {
    title: 'Cookies',
    markdown: (f) => `
Heimdall uses cookies only to sign you in and to protect your account. They are all strictly necessary for the
service you asked for, so no consent banner asks about them: there are no advertising, analytics or tracking
cookies, and no cookies of other sites. All of them are sent only to ${f.publicUrl}, most cannot be read by
scripts (HttpOnly), and over https they travel only encrypted (Secure).

${table(f, 'en', ['Cookie', 'What for', 'How long'])}

Cookies ending in \`.sig\` next to these carry a signature that shows the cookie was not changed. The sign-in,
account and policy pages run no scripts and store nothing else in your browser.

If you block cookies for this site you cannot sign in. Deleting them signs you out.
`,
  },
  de: {
    title: 'Cookies',
    markdown: (f) => `
Heimdall verwendet Cookies nur, um Sie anzumelden und Ihr Konto zu schützen. Alle sind für den Dienst, den Sie
nutzen wollen, unbedingt erforderlich; deshalb fragt kein Cookie-Banner nach ihnen: Es gibt keine Werbe-,
Analyse- oder Tracking-Cookies und keine Cookies anderer Websites. Alle werden nur an ${f.publicUrl} gesendet, die
meisten können nicht von Skripten gelesen werden (HttpOnly), und über https werden sie nur verschlüsselt
übertragen (Secure).

${table(f, 'de', ['Cookie', 'Wozu', 'Wie lange'])}

Cookies mit der Endung \`.sig\` neben diesen tragen eine Signatur, die zeigt, dass das Cookie nicht verändert
wurde. Die Anmelde-, Konto- und Richtlinienseiten führen keine Skripte aus und speichern sonst nichts in Ihrem
Browser.

Wenn Sie Cookies für diese Website sperren, können Sie sich nicht anmelden. Löschen Sie sie, sind Sie abgemeldet.
`,
  },
};
