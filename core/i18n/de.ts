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
  twoFactor: {
    title: 'Bestätigung in zwei Schritten',
    lead: 'Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.',
    code: 'Code',
    hint: 'Kein Telefon zur Hand? Geben Sie stattdessen einen Ihrer Backup-Codes ein.',
    submit: 'Bestätigen',
    invalid: 'Dieser Code stimmt nicht. Versuchen Sie den aktuellen aus Ihrer App oder einen Backup-Code.',
    security: 'Zwei-Faktor-Authentifizierung',
    required:
      'Eine Ihrer Rollen verlangt Zwei-Faktor-Authentifizierung. Richten Sie sie ein, um fortzufahren.',
    on: (date: string) => `Eingeschaltet seit ${date}.`,
    off: 'Aus. Ergänzen Sie Ihre Anmeldung um einen zweiten Schritt mit einer Authenticator-App (Google Authenticator, Authy, 1Password …).',
    start: 'Zwei-Faktor-Authentifizierung einrichten',
    scan: 'Scannen Sie diesen Code mit Ihrer Authenticator-App oder tippen Sie den Schlüssel ein und geben Sie dann den angezeigten 6-stelligen Code ein.',
    key: 'Schlüssel',
    confirm: 'Einschalten',
    backupTitle: 'Ihre Backup-Codes',
    backupLead:
      'Jeder Code meldet Sie einmal an, falls Sie Ihr Telefon verlieren. Bewahren Sie sie sicher auf: Sie werden nur jetzt angezeigt.',
    download: 'Als Textdatei herunterladen',
    continue: 'Weiter',
    remaining: (n: number) => `Noch ${n} Backup-Code${n === 1 ? '' : 's'}.`,
    regenerate: 'Neue Backup-Codes erstellen',
    disableTitle: 'Zwei-Faktor-Authentifizierung ausschalten',
    disable: 'Ausschalten',
    codeOrBackup: 'Code aus Ihrer App oder ein Backup-Code',
    passwordWrong: 'Bestätigen Sie mit Ihrem aktuellen Passwort.',
    qrAlt: 'QR-Code zum Scannen mit Ihrer Authenticator-App',
    tooMany: (minutes: number) =>
      `Zu viele falsche Codes. Versuchen Sie es in ${minutes} Minute${minutes === 1 ? '' : 'n'} erneut.`,
  },
  consent: {
    title: 'Zugriff erlauben',
    heading: (app: string) => `${app} erlauben?`,
    lead: (user: string, app: string) => `Angemeldet als ${user}. ${app} möchte:`,
    revocable: 'Sie können die App jederzeit unter „Verbundene Apps“ trennen.',
    allow: 'Erlauben',
    deny: 'Ablehnen',
  },
  scopes: {
    openid: 'Wissen, wer Sie bei Heimdall sind',
    profile: 'Ihren Benutzernamen, Anzeigenamen, Ihr Bild und Ihre Sprache sehen',
    email: 'Ihre E-Mail-Adresse sehen',
    offline_access: 'Verbunden bleiben, auch wenn Sie sie gerade nicht nutzen',
    roles: 'Ihre Rollen sehen',
    api: 'Die Heimdall-API mit allem nutzen, was Sie dürfen',
    permission: (scope: string) => `Die Heimdall-API nutzen: ${scope}`,
  },
  lockout: {
    account: (minutes: number) =>
      `Zu viele fehlgeschlagene Anmeldeversuche für dieses Konto. Versuchen Sie es zu Ihrer Sicherheit in ${minutes} Minute${minutes === 1 ? '' : 'n'} erneut oder setzen Sie Ihr Passwort zurück.`,
    ip: (minutes: number) =>
      `Zu viele fehlgeschlagene Anmeldeversuche aus Ihrem Netzwerk. Versuchen Sie es in ${minutes} Minute${minutes === 1 ? '' : 'n'} erneut.`,
    banned: 'Dieses Konto ist gesperrt.',
    bannedUntil: (until: string) => `Dieses Konto ist gesperrt bis ${until}.`,
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
  social: {
    acceptsTerms: 'Wenn du mit einer Plattform fortfährst, akzeptierst du die',
    or: 'oder',
    continueWith: (platform: string) => `Weiter mit ${platform}`,
    failedTitle: 'Die Anmeldung hat nicht geklappt',
    back: 'Zurück zur Anmeldung',
    denied: (platform: string) =>
      `Du hast ${platform} die Anmeldung nicht erlaubt. Es wurde nichts geändert.`,
    expired:
      'Diese Anmeldung hat zu lange gedauert oder wurde in einem anderen Browser begonnen. Bitte beginne neu.',
    invalid: (platform: string) => `${platform} hat nicht bestätigt, wer du bist. Bitte versuche es erneut.`,
    unavailable: (platform: string) =>
      `${platform} ist gerade nicht erreichbar. Bitte versuche es später erneut.`,
    emailInUse: (platform: string) =>
      `Es gibt schon ein Konto mit der E-Mail-Adresse deines ${platform}-Kontos. Melde dich dort an (mit deinem Passwort oder einer anderen verknüpften Plattform) und verknüpfe ${platform} dann unter „Anmeldemethoden“.`,
    registrationClosed:
      'Hier können keine neuen Konten angelegt werden. Bitte deine Administration um eine Einladung.',
    unavailableAccount: 'Mit diesem Konto ist keine Anmeldung möglich.',
  },
  area: {
    title: 'Ihr Konto',
    signedInAs: (name: string) => `Angemeldet als ${name}`,
    signIn: 'Bei Ihrem Konto anmelden',
    signOut: 'Abmelden',
    nav: {
      profile: 'Profil',
      password: 'Passwort',
      sessions: 'Wo Sie angemeldet sind',
      apps: 'Verbundene Apps',
      security: 'Zwei-Faktor-Authentifizierung',
      accounts: 'Anmeldemethoden',
    },
    saved: 'Gespeichert.',
    profile: {
      language: 'Sprache',
      privacy: 'Privatsphäre-Modus: Details meiner Aktivität vor anderen verbergen',
      privacyHint:
        'Solange er an ist, sehen andere Personen und Apps, die keine Benutzerkonten lesen dürfen (users:read), weder Ihre E-Mail-Adresse noch Ihr Bild noch Ihre Aktivität (wann Sie sich zuletzt angemeldet haben und mit welchem Konto).',
      save: 'Profil speichern',
    },
    password: {
      current: 'Aktuelles Passwort',
      new: 'Neues Passwort',
      save: 'Passwort ändern',
      wrong: 'Das aktuelle Passwort ist nicht richtig.',
      changed: 'Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden abgemeldet.',
    },
    sessions: {
      lead: 'Bei jeder Anmeldung beginnt eine Sitzung. Beenden Sie die, die Sie nicht kennen.',
      current: 'Dieser Browser',
      started: 'Angemeldet',
      lastActive: 'Zuletzt aktiv',
      from: 'Von',
      end: 'Diese Sitzung abmelden',
      endOthers: 'Überall sonst abmelden',
      ended: 'Die Sitzung wurde beendet.',
      endedOthers: 'Alle anderen Sitzungen wurden beendet.',
    },
    apps: {
      lead: 'Diese Apps dürfen Ihr Konto verwenden. Wenn Sie eine trennen, endet ihr Zugriff sofort.',
      none: 'Sie haben keine Apps verbunden.',
      allowed: 'Darf',
      since: 'Verbunden',
      disconnect: 'Trennen',
      disconnected: 'Die App wurde getrennt. Sie kann Ihr Konto nicht mehr verwenden.',
    },
    accounts: {
      lead: 'Die Wege, auf denen du dich anmeldest. Die primäre Methode liefert Namen, Bild und E-Mail-Adresse, die Apps sehen.',
      primary: 'Primär',
      makePrimary: 'Zur primären machen',
      unlink: 'Trennen',
      link: (platform: string) => `${platform} verknüpfen`,
      available: 'Weitere Plattform verknüpfen',
      connectBots: 'Bots erlauben, für dich zu handeln',
      connectBotsHint: (platform: string) =>
        `Gibt Heimdalls Bots Zugriff auf deinen ${platform}-Kanal (Chat und Moderation). Du kannst die Verknüpfung jederzeit trennen.`,
      botsAllowed: 'Bots dürfen für dich handeln',
      tokenInvalid: (platform: string) =>
        `${platform} akzeptiert Heimdalls Zugriff nicht mehr. Verknüpfe ${platform} erneut, um ihn wiederherzustellen.`,
      linked: (platform: string) => `${platform} ist mit deinem Konto verknüpft.`,
      unlinked: 'Die Plattform wurde getrennt.',
      primaryChanged: 'Deine primäre Anmeldemethode wurde geändert.',
      linkedElsewhere: (platform: string) =>
        `Dieses ${platform}-Konto ist mit einem anderen Heimdall-Konto verknüpft. Melde dich dort an und trenne es zuerst.`,
      platformTaken: (platform: string) =>
        `Du hast schon ein anderes ${platform}-Konto verknüpft: trenne es zuerst.`,
      lastMethod:
        'Das ist dein letzter Weg, dich anzumelden. Verknüpfe eine andere Plattform oder setze ein Passwort, bevor du ihn entfernst.',
      unverified: 'nicht bestätigt',
    },
    deletion: {
      link: 'Ihr Konto löschen',
      linkLead: 'Löschen Sie Ihr Konto und alles, was Heimdall über Sie speichert.',
      title: 'Ihr Konto löschen',
      lead: (days: number) =>
        `Ihr Konto wird ${days} Tage nach Ihrer Anfrage gelöscht. Sofort werden alle Sitzungen abgemeldet, Ihre Apps verlieren den Zugriff und Ihre API-Schlüssel werden deaktiviert. Bis zum Löschtag können Sie sich wieder anmelden und die Löschung abbrechen.`,
      passwordHint: 'Bestätigen Sie mit Ihrem aktuellen Passwort, dass Sie es sind.',
      noPasswordHint:
        'Sie melden sich ohne Passwort an: Eine Anmeldung innerhalb der letzten 10 Minuten bestätigt, dass Sie es sind. Liegt Ihre Anmeldung länger zurück, melden Sie sich zuerst erneut an.',
      reauthenticate: 'Erneut anmelden',
      reauthRequired:
        'Bestätigen Sie, dass Sie es sind: Geben Sie Ihr aktuelles Passwort ein. Ohne Passwort melden Sie sich erneut an und fragen innerhalb von 10 Minuten.',
      lastSuperAdmin:
        'Sie sind der letzte Super-Admin: Geben Sie die Rolle jemand anderem, bevor Sie Ihr Konto löschen.',
      submit: 'Mein Konto löschen',
      scheduled: (date: string) => `Ihr Konto wird am ${date} gelöscht.`,
      cancel: 'Löschung abbrechen',
      cancelled: 'Die Löschung wurde abgebrochen. Ihr Konto bleibt bestehen.',
      doneTitle: 'Ihr Konto wird gelöscht',
      done: 'Sie wurden überall abgemeldet. Sie haben es sich anders überlegt? Melden Sie sich vor diesem Tag wieder an und brechen Sie die Löschung ab.',
      signInToCancel: 'Anmelden zum Abbrechen',
    },
    export: {
      link: 'Ihre Daten exportieren',
      linkLead: 'Laden Sie eine Kopie von allem, was Heimdall über Sie speichert, als ZIP-Datei herunter.',
      title: 'Ihre Daten exportieren',
      lead: (perDay: number, hours: number) =>
        `Heimdall packt Ihre Daten in eine ZIP-Datei: Ihr Profil, Ihre Anmeldemethoden, Sitzungen, Apps, API-Schlüssel und Aktivitäten. Sie können ${perDay}-mal in 24 Stunden anfragen; jede Datei lässt sich ${hours} Stunden lang herunterladen.`,
      request: 'Export anfordern',
      latest: 'Ihr letzter Export',
      requestedOn: (when: string) => `Angefordert am ${when}`,
      status: {
        queued: 'Wartet auf den Start',
        running: 'Wird erstellt',
        done: 'Fertig',
        failed: 'Konnte nicht erstellt werden',
        expired: 'Abgelaufen',
      },
      progress: (percent: number) => `${percent} % erledigt`,
      refreshHint: 'Diese Seite lädt sich alle paar Sekunden neu, bis die Datei fertig ist.',
      refresh: 'Neu laden',
      download: (size: string) => `Herunterladen (ZIP, ${size})`,
      availableUntil: (when: string) => `Verfügbar bis ${when}`,
      expired: 'Abgelaufen: Die Datei wurde gelöscht. Fordern Sie bei Bedarf einen neuen Export an.',
      failed: 'Der Export konnte nicht erstellt werden. Bitte fordern Sie ihn erneut an.',
      limit: (perDay: number, when: string) =>
        `Sie haben in den letzten 24 Stunden ${perDay} Exporte angefordert, mehr sind nicht möglich. Sie können ab ${when} wieder anfragen.`,
      notFound: 'Sie haben keinen Export mit dieser ID.',
      history: 'Frühere Exporte',
      noHistory: 'Sie haben Ihre Daten noch nicht exportiert.',
      exportedOn: 'Datum',
      size: 'Größe',
      availability: 'Verfügbar',
    },
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
    twoFactorResetSubject: 'Zwei-Faktor-Authentifizierung wurde ausgeschaltet',
    twoFactorResetBody:
      'Eine Administratorin oder ein Administrator hat die Zwei-Faktor-Authentifizierung Ihres Heimdall-Kontos ausgeschaltet. Richten Sie sie in den Sicherheitseinstellungen Ihres Kontos wieder ein.',
    changedWarning:
      'Falls Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück und wenden Sie sich an Ihre Administration.',
    linkedSubject: (platform: string) => `${platform} wurde mit deinem Konto verknüpft`,
    linkedBody: (platform: string) =>
      `${platform} wurde soeben mit deinem Heimdall-Konto verknüpft: du kannst dich jetzt damit anmelden.`,
    unlinkedSubject: (platform: string) => `${platform} wurde von deinem Konto getrennt`,
    unlinkedBody: (platform: string) =>
      `${platform} wurde soeben von deinem Heimdall-Konto getrennt, und die damit begonnenen Sitzungen wurden beendet.`,
    exportSubject: 'Ihr Datenexport ist fertig',
    exportBody:
      'Die Kopie Ihrer Heimdall-Daten, die Sie angefordert haben, ist fertig. Melden Sie sich an und laden Sie sie über den folgenden Link herunter.',
    exportButton: 'Daten herunterladen',
    exportExpiry: (when: string) => `Die Datei wird am ${when} gelöscht.`,
    deletionSubject: 'Ihr Konto wird gelöscht',
    deletionBody: (date: string) =>
      `Sie haben die Löschung Ihres Heimdall-Kontos beantragt. Alle Sitzungen wurden abgemeldet, Ihre Apps haben ihren Zugriff verloren und Ihre API-Schlüssel wurden deaktiviert. Am ${date} werden das Konto und seine Daten endgültig gelöscht. Bis dahin können Sie sich anmelden und die Löschung in Ihren Kontoeinstellungen zurücknehmen.`,
  },
};
