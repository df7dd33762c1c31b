import { mdLink } from '../markdown.js';
import { contactText, duration, type BuiltInPolicy } from './text.js';

/**
 * What this software stores and why. It holds for every Heimdall; who runs it, and the legal basis the operator
 * relies on, belong in the operator's own page (a file or a URL, docs/policies.md).
 */
export const privacy: BuiltInPolicy = {
  en: {
    title: 'Privacy policy',
    markdown: (f) => `
This Heimdall at ${f.publicUrl} is run by its operator, who is responsible for the data it keeps. This page says
what the software stores about you, why, for how long, and what you can do about it.

## What is stored

- **Your account:** username, email address and whether you confirmed it, your language, whether privacy mode is
  on, the picture you uploaded (if any), and the dates your account was created and last used.
- **Your password:** only as a salted Argon2id hash, never the password itself. Links emailed to confirm your
  address or reset your password are stored as hashes too.
- **Sign-in methods:** the platforms you linked (for example Twitch or Discord) with your id, name, email address
  and picture there. Their access tokens are kept, encrypted, only if you allowed Heimdall's bots to act for you.
- **Sessions:** for each sign-in, the IP address, the browser (user agent), how you signed in and when the session
  was last used.
- **Two-factor authentication:** the authenticator app's secret, encrypted, and your backup codes as keyed hashes.
- **Apps and keys:** the apps you allowed to use your account and what they may do, the API keys you created
  (only a hash of each key) and the apps you registered.
- **Files you upload** and the data exports you ask for.
- **The security log:** sign-ins, failed sign-in attempts and changes to your account, each with the IP address and
  the browser${f.geoip ? ', and an approximate location (country, region, city) looked up on this server in a GeoIP database: your address is not sent anywhere to find it' : ''}.

## Why

To run your account and sign you in to the apps you choose (what you asked for when you registered), and to keep
accounts safe: the security log lets you and the administrators spot sign-ins that were not yours and stop
attacks such as password guessing.

## Who receives it

- **Apps you connect** receive only what you allowed on the consent page, and with privacy mode on they do not
  see your email address, picture or activity, unless they are the operator's own apps or apps allowed to read
  every account.
- **The administrators** of this Heimdall can see accounts and the security log to run and protect the service.
- **The email server** this Heimdall uses receives your address and the emails sent to you.

Nothing is sold, no advertising or tracking services are used, and the pages load nothing from other sites but
the logos of the apps you connect.

## How long it is kept

- Sessions end after at most ${duration(f.sessionSeconds, 'en')} unless an app renews them, and when you sign out.
- The security log is kept for ${f.auditRetentionDays} days.
- A data export can be downloaded for 24 hours, then it is deleted.
- Your account is kept until you delete it. Deletion takes effect after ${duration(f.deletionGraceDays * 86_400, 'en')},
  during which you can change your mind. Then everything stored about you is erased, and your entries in the
  security log no longer name you: your id is replaced by a pseudonym, IP addresses are shortened, and the browser,
  city and region are removed.

## Your rights

- **See and take your data:** your account area shows your sessions, connected apps and sign-in methods, and
  ${mdLink('your data export', '/account/export')} gives you a copy of what is stored about you (secrets such as your
  password hash are left out).
- **Correct it:** change your name, language and privacy mode on ${mdLink('your profile', '/account/profile')}.
- **Delete it:** ${mdLink('delete your account', '/account/delete')} yourself.
- **Object or complain:** write to the operator of this Heimdall, and you may complain to a data protection
  authority.

Security questions and reports go to ${mdLink(contactText(f.securityContact), f.securityContact)}. How cookies are used
is on the ${mdLink('cookie page', '/policies/cookies?lang=en')}.
`,
  },
  de: {
    title: 'Datenschutzerklärung',
    markdown: (f) => `
Dieses Heimdall unter ${f.publicUrl} wird von seinem Betreiber betrieben, der für die gespeicherten Daten
verantwortlich ist. Diese Seite erklärt, was die Software über Sie speichert, warum, wie lange, und was Sie
dagegen tun können.

## Was gespeichert wird

- **Ihr Konto:** Benutzername, E-Mail-Adresse und ob Sie sie bestätigt haben, Ihre Sprache, ob der
  Privatsphäre-Modus an ist, das Bild, das Sie hochgeladen haben (falls vorhanden), und wann Ihr Konto angelegt
  und zuletzt benutzt wurde.
- **Ihr Passwort:** nur als gesalzener Argon2id-Hash, nie das Passwort selbst. Auch die Links, die wir zur
  Bestätigung Ihrer Adresse oder zum Zurücksetzen des Passworts senden, werden nur als Hash gespeichert.
- **Anmeldemethoden:** die Plattformen, die Sie verknüpft haben (zum Beispiel Twitch oder Discord), mit Ihrer
  Kennung, Ihrem Namen, Ihrer E-Mail-Adresse und Ihrem Bild dort. Deren Zugangstoken werden nur verschlüsselt
  gespeichert, und nur wenn Sie Heimdalls Bots erlaubt haben, für Sie zu handeln.
- **Sitzungen:** zu jeder Anmeldung die IP-Adresse, der Browser (User-Agent), wie Sie sich angemeldet haben und
  wann die Sitzung zuletzt benutzt wurde.
- **Zwei-Faktor-Authentifizierung:** das Geheimnis Ihrer Authenticator-App, verschlüsselt, und Ihre
  Backup-Codes als Hashes.
- **Apps und Schlüssel:** die Apps, denen Sie Zugriff auf Ihr Konto gegeben haben, und was sie dürfen, Ihre
  API-Schlüssel (nur als Hash) und die Apps, die Sie registriert haben.
- **Dateien, die Sie hochladen**, und die Datenexporte, die Sie anfordern.
- **Das Sicherheitsprotokoll:** Anmeldungen, fehlgeschlagene Anmeldeversuche und Änderungen an Ihrem Konto,
  jeweils mit IP-Adresse und Browser${f.geoip ? ' sowie einem ungefähren Ort (Land, Region, Stadt), den dieser Server in einer GeoIP-Datenbank nachschlägt: Ihre Adresse wird dafür nirgendwohin gesendet' : ''}.

## Wozu

Um Ihr Konto zu führen und Sie bei den Apps anzumelden, die Sie wählen (worum Sie mit der Registrierung gebeten
haben), und um Konten zu schützen: Mit dem Sicherheitsprotokoll erkennen Sie und die Administratoren Anmeldungen,
die nicht von Ihnen waren, und wehren Angriffe wie das Erraten von Passwörtern ab.

## Wer die Daten erhält

- **Apps, die Sie verbinden,** erhalten nur, was Sie auf der Zustimmungsseite erlaubt haben. Ist der
  Privatsphäre-Modus an, sehen sie Ihre E-Mail-Adresse, Ihr Bild und Ihre Aktivität nicht, es sei denn, es sind
  Apps des Betreibers selbst oder Apps, die alle Konten lesen dürfen.
- **Die Administratoren** dieses Heimdall sehen Konten und das Sicherheitsprotokoll, um den Dienst zu betreiben
  und zu schützen.
- **Der E-Mail-Server**, den dieses Heimdall benutzt, erhält Ihre Adresse und die E-Mails an Sie.

Es wird nichts verkauft, es werden keine Werbe- oder Tracking-Dienste eingesetzt, und die Seiten laden nichts von
anderen Websites außer den Logos der Apps, die Sie verbinden.

## Wie lange gespeichert wird

- Sitzungen enden spätestens nach ${duration(f.sessionSeconds, 'de')}, sofern eine App sie nicht verlängert, und
  wenn Sie sich abmelden.
- Das Sicherheitsprotokoll wird ${f.auditRetentionDays} Tage lang aufbewahrt.
- Ein Datenexport kann 24 Stunden lang heruntergeladen werden, dann wird er gelöscht.
- Ihr Konto bleibt bestehen, bis Sie es löschen. Die Löschung wird nach einer Karenzzeit wirksam (${duration(f.deletionGraceDays * 86_400, 'de')}),
  in der Sie es sich anders überlegen können. Danach wird alles gelöscht, was über Sie gespeichert ist, und Ihre
  Einträge im Sicherheitsprotokoll nennen Sie nicht mehr: Ihre Kennung wird durch ein Pseudonym ersetzt,
  IP-Adressen werden gekürzt, Browser, Stadt und Region entfernt.

## Ihre Rechte

- **Daten einsehen und mitnehmen:** Ihr Kontobereich zeigt Ihre Sitzungen, verbundenen Apps und
  Anmeldemethoden, und ${mdLink('Ihr Datenexport', '/account/export')} gibt Ihnen eine Kopie dessen, was über Sie
  gespeichert ist (Geheimnisse wie der Hash Ihres Passworts ausgenommen).
- **Berichtigen:** Namen, Sprache und Privatsphäre-Modus ändern Sie in ${mdLink('Ihrem Profil', '/account/profile')}.
- **Löschen:** ${mdLink('Löschen Sie Ihr Konto', '/account/delete')} selbst.
- **Widersprechen oder beschweren:** Schreiben Sie dem Betreiber dieses Heimdall; Sie können sich außerdem bei
  einer Datenschutzaufsichtsbehörde beschweren.

Fragen und Meldungen zur Sicherheit gehen an ${mdLink(contactText(f.securityContact), f.securityContact)}. Wie Cookies
verwendet werden, steht auf der ${mdLink('Cookie-Seite', '/policies/cookies?lang=de')}.
`,
  },
};
