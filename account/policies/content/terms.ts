import { mdLink } from '../markdown.js';
import { duration, type BuiltInPolicy } from './text.js';

/** The rules every Heimdall can state; the operator's own terms (a file or a URL) take their place. */
export const terms: BuiltInPolicy = {
  en: {
    title: 'Terms of use',
    markdown: (f) => `
This Heimdall at ${f.publicUrl} is run by its operator, who decides who may use it and for what. By creating an
account you accept these terms.

## Your account

- Register with an email address you can receive mail at, and keep it up to date: password resets and security
  notices go there.
- Keep your password to yourself. Turn on two-factor authentication: administrators need it anyway.
- Tell the operator at once if you think someone else used your account, and end the sessions you do not
  recognise in your account area.

## Fair use

- Do not use the service to harm others, to send spam, or to break the law.
- Do not try to get around the limits set on your account, to guess other people's passwords, or to reach data
  that is not yours.
- Apps you register must say truthfully who they are and ask only for what they need.

## Apps and bots acting for you

When you allow an app on the consent page, it may do what the page listed until you disconnect it. When you allow
Heimdall's bots to act for you on a platform, they use that platform's access you granted; you can withdraw it on
the sign-in methods page at any time.

## Suspension and ending

The operator may suspend (ban) accounts that break these terms, for a time or for good. You can
${mdLink('delete your account', '/account/delete')} whenever you like: it is erased after
${duration(f.deletionGraceDays * 86_400, 'en')}, during which you can cancel.

## No guarantees

The service is provided as it is, without a promise that it is always available or free of faults. The operator
may change these terms; the version on this page is the one that applies. How your data is handled is in the
${mdLink('privacy policy', '/policies/privacy?lang=en')}.
`,
  },
  de: {
    title: 'Nutzungsbedingungen',
    markdown: (f) => `
Dieses Heimdall unter ${f.publicUrl} wird von seinem Betreiber betrieben, der entscheidet, wer es wofür nutzen
darf. Mit der Registrierung eines Kontos akzeptieren Sie diese Bedingungen.

## Ihr Konto

- Registrieren Sie sich mit einer E-Mail-Adresse, unter der Sie Post erhalten, und halten Sie sie aktuell:
  Passwort-Links und Sicherheitshinweise gehen dorthin.
- Behalten Sie Ihr Passwort für sich. Schalten Sie die Zwei-Faktor-Authentifizierung ein: Administratoren
  brauchen sie ohnehin.
- Melden Sie dem Betreiber sofort, wenn jemand anderes Ihr Konto benutzt haben könnte, und beenden Sie in Ihrem
  Kontobereich die Sitzungen, die Sie nicht kennen.

## Faire Nutzung

- Nutzen Sie den Dienst nicht, um anderen zu schaden, Spam zu versenden oder gegen Gesetze zu verstoßen.
- Versuchen Sie nicht, die Grenzen Ihres Kontos zu umgehen, Passwörter anderer zu erraten oder an Daten zu
  gelangen, die nicht Ihre sind.
- Apps, die Sie registrieren, müssen wahrheitsgemäß sagen, wer sie sind, und nur erfragen, was sie brauchen.

## Apps und Bots, die für Sie handeln

Erlauben Sie einer App auf der Zustimmungsseite den Zugriff, darf sie tun, was die Seite aufgeführt hat, bis Sie
sie trennen. Erlauben Sie Heimdalls Bots, auf einer Plattform für Sie zu handeln, nutzen sie den Zugang, den Sie
dort gewährt haben; Sie können ihn auf der Seite der Anmeldemethoden jederzeit zurücknehmen.

## Sperrung und Ende

Der Betreiber kann Konten sperren, die gegen diese Bedingungen verstoßen, befristet oder dauerhaft. Sie können
${mdLink('Ihr Konto löschen', '/account/delete')}, wann immer Sie möchten: Es wird nach einer Karenzzeit
(${duration(f.deletionGraceDays * 86_400, 'de')}) gelöscht, in der Sie die Löschung abbrechen können.

## Keine Gewähr

Der Dienst wird so bereitgestellt, wie er ist, ohne Zusage, dass er immer verfügbar oder fehlerfrei ist. Der
Betreiber kann diese Bedingungen ändern; es gilt die Fassung auf dieser Seite. Wie mit Ihren Daten umgegangen
wird, steht in der ${mdLink('Datenschutzerklärung', '/policies/privacy?lang=de')}.
`,
  },
};
