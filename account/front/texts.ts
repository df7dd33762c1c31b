import type { Locale } from '../../core/i18n/locales.js';

/** The start page and the first-run setup in English and German; German has the same shape, checked here. */
const en = {
  tagline: 'Sign-in, access control and live events for your apps and bots.',
  links: {
    heading: 'Where to go',
    signIn: 'Sign in',
    signInHint: 'Your account: profile, security, sessions, connected apps.',
    account: 'Your account',
    accountHint: 'Profile, security, sessions, connected apps.',
    admin: 'Admin panel',
    adminHint: 'Users, roles, apps, API keys, audit log, settings.',
    docs: 'Documentation',
    docsHint: 'Guides and reference: quick start, apps, bots, operation.',
    api: 'API reference',
    apiHint: 'Every REST endpoint, with its OpenAPI document.',
    graphql: 'GraphQL',
    graphqlHint: 'The GraphQL endpoint, with its explorer.',
    policies: 'Privacy and terms',
    policiesHint: 'How this service handles your data, and the rules for using it.',
  },
  signedInAs: (name: string) => `Signed in as ${name}.`,
  health: {
    heading: 'Health of this instance',
    lead: 'Shown to administrators only. Checked now, from this node.',
    database: 'Database',
    auditDatabase: 'Audit database',
    audit: 'Audit log',
    redis: 'Redis',
    realtime: 'Realtime',
    ok: 'OK',
    unreachable: 'Unreachable',
    notConfigured: 'Not configured: cache and pub/sub in this process only (one node)',
    auditState: (buffered: number, spooled: number) =>
      spooled > 0
        ? `${spooled} events wait on disk for the audit database; ${buffered} in memory.`
        : `Writing; ${buffered} event${buffered === 1 ? '' : 's'} waiting in memory.`,
    realtimeServed: (connections: number) =>
      `Served by this node: ${connections} open connection${connections === 1 ? '' : 's'}.`,
    realtimeElsewhere: 'Not served by this node.',
  },
  firstRun: {
    title: 'Welcome to Heimdall',
    lead: 'Heimdall is running. One step is left: create the first administrator.',
    linkHeading: 'In the browser',
    link: (minutes: number) =>
      `The server log shows a setup link. Open it within ${minutes} minutes: it creates the first administrator with a strong password, then leads you to set up two-factor authentication. The link works once.`,
    newLink:
      'Link lost or expired? Reload this page: while no administrator exists, a new link is printed in the log whenever the last one has expired.',
    commandHeading: 'Or on the command line',
    command:
      'In the directory Heimdall runs from (it prints a password once; pipe your own to stdin instead):',
    docs: 'The first-admin guide explains both ways.',
  },
  setup: {
    title: 'Create the first administrator',
    lead: 'This account may do everything in this Heimdall. Choose a strong password; two-factor authentication comes next.',
    submit: 'Create the administrator',
    invalidTitle: 'This setup link does not work',
    invalid: (minutes: number) =>
      `It was used already or has expired (a link works for ${minutes} minutes and once). Open the start page: while no administrator exists, a new link appears in the server log.`,
    completeTitle: 'Setup is complete',
    complete: 'An administrator exists already. Sign in with that account.',
    emailTaken: 'An account with this email address exists already.',
    toStart: 'Go to the start page',
  },
};

export type FrontTexts = typeof en;

const de: FrontTexts = {
  tagline: 'Anmeldung, Zugriffsrechte und Live-Ereignisse für Ihre Apps und Bots.',
  links: {
    heading: 'Wohin möchten Sie?',
    signIn: 'Anmelden',
    signInHint: 'Ihr Konto: Profil, Sicherheit, Sitzungen, verbundene Apps.',
    account: 'Ihr Konto',
    accountHint: 'Profil, Sicherheit, Sitzungen, verbundene Apps.',
    admin: 'Verwaltung',
    adminHint: 'Benutzer, Rollen, Apps, API-Schlüssel, Audit-Log, Einstellungen.',
    docs: 'Dokumentation',
    docsHint: 'Anleitungen und Referenz: Schnellstart, Apps, Bots, Betrieb.',
    api: 'API-Referenz',
    apiHint: 'Jeder REST-Endpunkt, mit seinem OpenAPI-Dokument.',
    graphql: 'GraphQL',
    graphqlHint: 'Der GraphQL-Endpunkt, mit seinem Explorer.',
    policies: 'Datenschutz und Bedingungen',
    policiesHint: 'Wie dieser Dienst mit Ihren Daten umgeht, und die Regeln für seine Nutzung.',
  },
  signedInAs: (name: string) => `Angemeldet als ${name}.`,
  health: {
    heading: 'Zustand dieser Instanz',
    lead: 'Nur für Administratoren sichtbar. Eben geprüft, von diesem Knoten aus.',
    database: 'Datenbank',
    auditDatabase: 'Audit-Datenbank',
    audit: 'Audit-Log',
    redis: 'Redis',
    realtime: 'Echtzeit',
    ok: 'OK',
    unreachable: 'Nicht erreichbar',
    notConfigured: 'Nicht eingerichtet: Cache und Pub/Sub nur in diesem Prozess (ein Knoten)',
    auditState: (buffered: number, spooled: number) =>
      spooled > 0
        ? `${spooled} Ereignisse warten auf der Festplatte auf die Audit-Datenbank; ${buffered} im Speicher.`
        : `Schreibt; ${buffered === 1 ? '1 Ereignis wartet' : `${buffered} Ereignisse warten`} im Speicher.`,
    realtimeServed: (connections: number) =>
      `Von diesem Knoten bedient: ${connections} offene Verbindung${connections === 1 ? '' : 'en'}.`,
    realtimeElsewhere: 'Wird nicht von diesem Knoten bedient.',
  },
  firstRun: {
    title: 'Willkommen bei Heimdall',
    lead: 'Heimdall läuft. Ein Schritt fehlt noch: den ersten Administrator anlegen.',
    linkHeading: 'Im Browser',
    link: (minutes: number) =>
      `Das Server-Log zeigt einen Einrichtungslink. Öffnen Sie ihn innerhalb von ${minutes} Minuten: Er legt den ersten Administrator mit einem starken Passwort an und führt Sie danach zur Einrichtung der Zwei-Faktor-Authentifizierung. Der Link funktioniert einmal.`,
    newLink:
      'Link verloren oder abgelaufen? Laden Sie diese Seite neu: Solange es keinen Administrator gibt, erscheint ein neuer Link im Log, sobald der letzte abgelaufen ist.',
    commandHeading: 'Oder auf der Kommandozeile',
    command:
      'Im Verzeichnis, aus dem Heimdall läuft (es zeigt einmal ein Passwort an; oder geben Sie Ihr eigenes über stdin ein):',
    docs: 'Die Anleitung „Der erste Administrator“ erklärt beide Wege.',
  },
  setup: {
    title: 'Den ersten Administrator anlegen',
    lead: 'Dieses Konto darf in diesem Heimdall alles. Wählen Sie ein starkes Passwort; danach folgt die Zwei-Faktor-Authentifizierung.',
    submit: 'Administrator anlegen',
    invalidTitle: 'Dieser Einrichtungslink funktioniert nicht',
    invalid: (minutes: number) =>
      `Er wurde schon benutzt oder ist abgelaufen (ein Link gilt ${minutes} Minuten und einmal). Öffnen Sie die Startseite: Solange es keinen Administrator gibt, erscheint ein neuer Link im Server-Log.`,
    completeTitle: 'Die Einrichtung ist abgeschlossen',
    complete: 'Es gibt bereits einen Administrator. Melden Sie sich mit diesem Konto an.',
    emailTaken: 'Ein Konto mit dieser E-Mail-Adresse gibt es bereits.',
    toStart: 'Zur Startseite',
  },
};

const TEXTS: Record<Locale, FrontTexts> = { en, de };

export const frontTexts = (locale: Locale): FrontTexts => TEXTS[locale];
