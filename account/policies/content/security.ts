import { mdLink } from '../markdown.js';
import { contactText, duration, type BuiltInPolicy } from './text.js';

/** How accounts are protected, and how to report a vulnerability (security.txt's Policy points here). */
export const security: BuiltInPolicy = {
  en: {
    title: 'Security',
    markdown: (f) => `
## Reporting a vulnerability

If you found a security problem in this Heimdall, please tell us at
${mdLink(contactText(f.securityContact), f.securityContact)} before telling anyone else. Please include:

- what is affected (a page, an API endpoint) and what an attacker could do with it;
- the steps to reproduce it, and the date and time you tried;
- how to reach you, and whether you would like to be named once it is fixed.

Please test only with accounts of your own, do not read, change or delete other people's data, do not disrupt the
service (no denial of service, no mass sign-in attempts), and do not try to trick people. Give the operator time
to fix the problem before you publish it; 90 days is customary. Reports made in good faith along these lines are
welcome. The contact is also in [security.txt](/.well-known/security.txt) (RFC 9116).

## How your account is protected

- Passwords are stored only as salted Argon2id hashes and must be at least ${f.minPasswordLength} characters and
  hard to guess.
- Repeated failed sign-ins slow down and then lock sign-in for the account and the address for
  ${duration(f.lockoutSeconds, 'en')}.
- Two-factor authentication with an authenticator app and backup codes; administrators must use it.
- Secrets kept for you (authenticator secrets, platform tokens, signing keys) are encrypted at rest.
- Apps receive access tokens valid for ${duration(f.accessTokenSeconds, 'en')}; disconnecting an app stops its
  access at once, and a session you end stops working at once.
- The pages run no scripts, load nothing from other sites but the logos of apps, and cannot be shown inside
  other sites.
- Sign-ins, failures and changes to your account are recorded in the security log; your data export holds your
  entries.

## What you can do

Use a password you use nowhere else, turn on ${mdLink('two-factor authentication', '/account/security')}, keep
your backup codes somewhere safe, and look at ${mdLink('where you are signed in', '/account/sessions')} from time
to time. Heimdall never asks for your password by email.
`,
  },
  de: {
    title: 'Sicherheit',
    markdown: (f) => `
## Eine Schwachstelle melden

Wenn Sie ein Sicherheitsproblem in diesem Heimdall gefunden haben, melden Sie es bitte an
${mdLink(contactText(f.securityContact), f.securityContact)}, bevor Sie es anderen mitteilen. Bitte geben Sie an:

- was betroffen ist (eine Seite, ein API-Endpunkt) und was ein Angreifer damit tun könnte;
- wie es sich nachvollziehen lässt, und wann Sie es versucht haben;
- wie wir Sie erreichen, und ob Sie nach der Behebung genannt werden möchten.

Testen Sie bitte nur mit eigenen Konten, lesen, ändern oder löschen Sie keine Daten anderer, stören Sie den
Dienst nicht (keine Überlastung, keine massenhaften Anmeldeversuche) und täuschen Sie niemanden. Geben Sie dem
Betreiber Zeit, das Problem zu beheben, bevor Sie es veröffentlichen; üblich sind 90 Tage. Meldungen in gutem
Glauben, die sich daran halten, sind willkommen. Die Kontaktadresse steht auch in
[security.txt](/.well-known/security.txt) (RFC 9116).

## Wie Ihr Konto geschützt ist

- Passwörter werden nur als gesalzene Argon2id-Hashes gespeichert und müssen mindestens
  ${f.minPasswordLength} Zeichen lang und schwer zu erraten sein.
- Wiederholte Fehlversuche bei der Anmeldung werden gebremst und sperren die Anmeldung für das Konto und die
  Adresse dann für ${duration(f.lockoutSeconds, 'de')}.
- Zwei-Faktor-Authentifizierung mit Authenticator-App und Backup-Codes; Administratoren müssen sie nutzen.
- Geheimnisse, die für Sie gespeichert werden (Authenticator-Geheimnisse, Plattform-Token,
  Signaturschlüssel), werden verschlüsselt abgelegt.
- Apps erhalten Zugangstoken, die ${duration(f.accessTokenSeconds, 'de')} gelten; trennen Sie eine App, endet
  ihr Zugriff sofort, und eine Sitzung, die Sie beenden, gilt sofort nicht mehr.
- Die Seiten führen keine Skripte aus, laden von anderen Websites nur die Logos von Apps und können nicht in
  fremde Seiten eingebettet werden.
- Anmeldungen, Fehlversuche und Änderungen an Ihrem Konto werden im Sicherheitsprotokoll festgehalten; Ihr
  Datenexport enthält Ihre Einträge.

## Was Sie tun können

Verwenden Sie ein Passwort, das Sie nirgends sonst nutzen, schalten Sie die
${mdLink('Zwei-Faktor-Authentifizierung', '/account/security')} ein, bewahren Sie Ihre Backup-Codes sicher auf,
und sehen Sie ab und zu nach, ${mdLink('wo Sie angemeldet sind', '/account/sessions')}. Heimdall fragt nie per
E-Mail nach Ihrem Passwort.
`,
  },
};
