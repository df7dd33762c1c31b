import { mdLink } from '../markdown.js';
import { duration, type BuiltInPolicy } from './text.js';

/** The questions people ask about their account, answered from what the account pages really do. */
export const faq: BuiltInPolicy = {
  en: {
    title: 'Frequently asked questions',
    markdown: (f) => `
## What is Heimdall ID?

One account for the apps of this site: you sign in here once, and the apps you allow learn who you are without
ever seeing your password.

## I did not get the confirmation email.

Look in your spam folder, then ask for a new link on the sign-in page ("Send the link again"). A link works for
${duration(f.verificationSeconds, 'en')} and only once; asking for a new one voids the older ones.

## I forgot my password.

Use ${mdLink('"Forgot your password?"', '/account/forgot')} on the sign-in page. The link works for
${duration(f.resetSeconds, 'en')}. Resetting signs you out everywhere and disconnects your apps' access, in case
someone else was using your account.

## Why can I not sign in any more?

After several wrong passwords, sign-in is slowed down and then locked for ${duration(f.lockoutSeconds, 'en')}.
Wait, or reset your password. If your address is not confirmed yet, confirm it first.

## How do I turn on two-factor authentication?

On ${mdLink('your security page', '/account/security')}: scan the QR code with an authenticator app (Google
Authenticator, Authy, 1Password, …) and enter a code. Keep the ten backup codes you get then: each works once if
you lose your phone. Administrators have to use two-factor authentication.

## Can I sign in with Twitch, Discord or another platform?

Yes, where the operator has set them up: "Continue with …" on the sign-in and registration pages. On
${mdLink('your sign-in methods page', '/account/accounts')} you link more platforms, unlink one (never the last
way to sign in) and choose which one supplies your name and picture.

## What do apps learn about me, and how do I stop one?

Only what you allowed on the consent page. ${mdLink('Connected apps', '/account/apps')} lists them; disconnecting
one stops its access at once. Privacy mode on your profile hides your email address, picture and activity from
other people and from most apps.

## Someone else may be using my account.

Change your password, look at ${mdLink('where you are signed in', '/account/sessions')} and end what you do not
recognise, turn on two-factor authentication, and tell the operator.

## How do I get a copy of my data?

On ${mdLink('your export page', '/account/export')}: the zip is ready after a short while, can be downloaded for 24
hours, and you may ask three times a day.

## How do I delete my account, and can I change my mind?

On ${mdLink('the deletion page', '/account/delete')}. You are signed out everywhere at once, and the account is
erased after ${duration(f.deletionGraceDays * 86_400, 'en')}. Until then, sign in again and cancel the deletion.
`,
  },
  de: {
    title: 'Häufige Fragen',
    markdown: (f) => `
## Was ist Heimdall ID?

Ein Konto für die Apps dieser Website: Sie melden sich hier einmal an, und die Apps, denen Sie es erlauben,
erfahren, wer Sie sind, ohne je Ihr Passwort zu sehen.

## Ich habe die Bestätigungs-E-Mail nicht bekommen.

Sehen Sie im Spam-Ordner nach und fordern Sie dann auf der Anmeldeseite einen neuen Link an („Link erneut
senden“). Ein Link gilt ${duration(f.verificationSeconds, 'de')} und nur einmal; ein neuer Link macht die älteren
ungültig.

## Ich habe mein Passwort vergessen.

Nutzen Sie ${mdLink('„Passwort vergessen?“', '/account/forgot')} auf der Anmeldeseite. Der Link gilt
${duration(f.resetSeconds, 'de')}. Das Zurücksetzen meldet Sie überall ab und nimmt Ihren Apps den Zugriff, falls
jemand anderes Ihr Konto benutzt hat.

## Warum kann ich mich nicht mehr anmelden?

Nach mehreren falschen Passwörtern wird die Anmeldung gebremst und dann für ${duration(f.lockoutSeconds, 'de')}
gesperrt. Warten Sie oder setzen Sie Ihr Passwort zurück. Ist Ihre Adresse noch nicht bestätigt, bestätigen Sie
sie zuerst.

## Wie schalte ich die Zwei-Faktor-Authentifizierung ein?

Auf ${mdLink('Ihrer Sicherheitsseite', '/account/security')}: Scannen Sie den QR-Code mit einer Authenticator-App
(Google Authenticator, Authy, 1Password, …) und geben Sie einen Code ein. Bewahren Sie die zehn Backup-Codes auf,
die Sie dann erhalten: Jeder funktioniert einmal, falls Sie Ihr Telefon verlieren. Administratoren müssen die
Zwei-Faktor-Authentifizierung nutzen.

## Kann ich mich mit Twitch, Discord oder einer anderen Plattform anmelden?

Ja, sofern der Betreiber sie eingerichtet hat: „Weiter mit …“ auf der Anmelde- und Registrierungsseite. Auf
${mdLink('der Seite Ihrer Anmeldemethoden', '/account/accounts')} verknüpfen Sie weitere Plattformen, trennen eine
(nie die letzte Anmeldemöglichkeit) und wählen, welche Ihren Namen und Ihr Bild liefert.

## Was erfahren Apps über mich, und wie stoppe ich eine?

Nur, was Sie auf der Zustimmungsseite erlaubt haben. ${mdLink('Verbundene Apps', '/account/apps')} listet sie auf;
trennen Sie eine, endet ihr Zugriff sofort. Der Privatsphäre-Modus in Ihrem Profil verbirgt Ihre E-Mail-Adresse,
Ihr Bild und Ihre Aktivität vor anderen Menschen und den meisten Apps.

## Jemand anderes benutzt vielleicht mein Konto.

Ändern Sie Ihr Passwort, sehen Sie nach, ${mdLink('wo Sie angemeldet sind', '/account/sessions')}, und beenden Sie,
was Sie nicht kennen, schalten Sie die Zwei-Faktor-Authentifizierung ein und informieren Sie den Betreiber.

## Wie bekomme ich eine Kopie meiner Daten?

Auf ${mdLink('Ihrer Exportseite', '/account/export')}: Das Zip-Archiv ist nach kurzer Zeit fertig, kann 24 Stunden
lang heruntergeladen werden, und Sie können es dreimal am Tag anfordern.

## Wie lösche ich mein Konto, und kann ich es mir anders überlegen?

Auf ${mdLink('der Löschseite', '/account/delete')}. Sie werden sofort überall abgemeldet, und das Konto wird nach
einer Karenzzeit (${duration(f.deletionGraceDays * 86_400, 'de')}) gelöscht. Bis dahin melden Sie sich einfach
wieder an und brechen die Löschung ab.
`,
  },
};
