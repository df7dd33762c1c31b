import type { Messages } from './en.js';

/** Deutsche Texte der Kontoseiten und E-Mails (Gegenstück zu en.ts). */
export const de: Messages = {
  common: {
    heimdallId: 'Heimdall ID',
    email: 'E-Mail',
    password: 'Passwort',
    username: 'Benutzername',
    continue: 'Weiter',
    backToSignIn: 'Zurück zur Anmeldung',
  },
  login: {
    title: 'Anmelden',
    lead: (app: string) => `um mit ${app} fortzufahren`,
    submit: 'Anmelden',
    missing: 'Geben Sie Ihre E-Mail-Adresse und Ihr Passwort ein.',
    invalid: 'E-Mail-Adresse oder Passwort ist falsch.',
    unverified:
      'Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse: Wir haben Ihnen bei der Registrierung einen Link gesendet.',
    resend: 'Link erneut senden',
    createAccount: 'Konto erstellen',
    forgot: 'Passwort vergessen?',
  },
  register: {
    title: 'Konto erstellen',
    lead: 'Ein Konto für alle Apps, die Heimdall ID verwenden.',
    usernameRules:
      '3 bis 32 Zeichen: Buchstaben, Ziffern, Punkte, Binde- und Unterstriche; beginnt mit einem Buchstaben oder einer Ziffer.',
    passwordRules: (min: number) =>
      `Mindestens ${min} Zeichen. Lange Passphrasen sind am besten; häufige oder leicht zu erratende Passwörter werden abgelehnt.`,
    confirmPassword: 'Passwort wiederholen',
    terms: 'Ich akzeptiere die',
    termsLink: 'Nutzungsbedingungen',
    and: 'und die',
    privacyLink: 'Datenschutzerklärung',
    submit: 'Konto erstellen',
    haveAccount: 'Sie haben schon ein Konto? Melden Sie sich in der App an, von der Sie kommen.',
    closed: 'Auf diesem Heimdall ist die Registrierung geschlossen.',
    checkEmailTitle: 'Bitte prüfen Sie Ihre E-Mails',
    checkEmail: (email: string) =>
      `Sofern ${email} verwendet werden kann, haben wir einen Bestätigungslink gesendet.`,
  },
  errors: {
    usernameInvalid:
      'Wählen Sie einen Benutzernamen aus 3 bis 32 Buchstaben, Ziffern, Punkten, Binde- oder Unterstrichen.',
    usernameTaken: 'Dieser Benutzername ist vergeben. Bitte wählen Sie einen anderen.',
    emailInvalid: 'Geben Sie eine gültige E-Mail-Adresse ein.',
    passwordShort: (min: number) => `Verwenden Sie mindestens ${min} Zeichen.`,
    passwordWeak:
      'Dieses Passwort ist zu leicht zu erraten. Versuchen Sie eine längere Passphrase aus unzusammenhängenden Wörtern.',
    passwordMismatch: 'Die beiden Passwörter stimmen nicht überein.',
    termsRequired: 'Bitte akzeptieren Sie die Nutzungsbedingungen und die Datenschutzerklärung.',
    csrf: 'Das Formular ist abgelaufen. Bitte versuchen Sie es erneut.',
    tooManyEmails: 'Wir haben schon mehrere E-Mails an diese Adresse gesendet. Bitte warten Sie eine Stunde.',
    linkInvalid: 'Dieser Link ist nicht mehr gültig: Er wurde schon verwendet oder ist abgelaufen.',
    unverified: 'Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse: Wir haben Ihnen einen Link gesendet. ',
  },
  verify: {
    doneTitle: 'E-Mail-Adresse bestätigt',
    done: 'Vielen Dank. Sie können sich jetzt anmelden.',
    resendTitle: 'Link erneut senden',
    resend: 'Neuen Bestätigungslink senden',
    resent: 'Falls ein unbestätigtes Konto diese Adresse verwendet, ist ein neuer Link unterwegs.',
  },
  forgot: {
    title: 'Passwort zurücksetzen',
    lead: 'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, um ein neues Passwort zu wählen.',
    submit: 'Link senden',
    sent: 'Falls ein Konto diese Adresse verwendet, ist ein Link zum Zurücksetzen unterwegs.',
    link: 'Passwort vergessen?',
  },
  reset: {
    title: 'Neues Passwort wählen',
    submit: 'Neues Passwort speichern',
    doneTitle: 'Passwort geändert',
    done: 'Ihr Passwort wurde geändert und alle anderen Sitzungen wurden abgemeldet. Melden Sie sich mit dem neuen an.',
  },
  email: {
    greeting: (name: string) => `Hallo ${name},`,
    signature: 'Heimdall',
    ignore: 'Falls Sie das nicht waren, können Sie diese E-Mail ignorieren.',
    verifySubject: 'Bestätigen Sie Ihre E-Mail-Adresse',
    verifyBody: 'Bitte bestätigen Sie Ihre E-Mail-Adresse, um Ihr Heimdall-Konto fertig einzurichten:',
    verifyButton: 'E-Mail-Adresse bestätigen',
    verifyExpiry: (hours: number) => `Der Link ist ${hours} Stunden und nur einmal gültig.`,
    resetSubject: 'Passwort zurücksetzen',
    resetBody: 'Jemand (hoffentlich Sie) möchte das Passwort Ihres Heimdall-Kontos zurücksetzen:',
    resetButton: 'Neues Passwort wählen',
    resetExpiry: (minutes: number) => `Der Link ist ${minutes} Minuten und nur einmal gültig.`,
    changedSubject: 'Ihr Passwort wurde geändert',
    changedBody:
      'Das Passwort Ihres Heimdall-Kontos wurde soeben geändert und alle anderen Sitzungen wurden abgemeldet.',
    changedWarning:
      'Falls Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück und wenden Sie sich an Ihre Administration.',
  },
};
