/** The languages the runtime answers in; a community's setting picks one, else the message's locale. */
export const BOT_LANGUAGES = ['en', 'de'] as const;
export type BotLanguage = (typeof BOT_LANGUAGES)[number];

const en = {
  unknown_command: 'Unknown command "{command}".',
  missing_argument: 'Missing {argument}. Usage: {usage}',
  invalid_argument: '"{value}" is not a valid {argument} ({kind}). Usage: {usage}',
  unknown_user: '"{value}" is not a user here. Usage: {usage}',
  unterminated_quote: 'A quote is not closed. Usage: {usage}',
  too_many_arguments: 'Too many arguments. Usage: {usage}',
  cooldown: 'Please wait {seconds} s before using {command} again.',
  not_linked: 'Link your {platform} account to Heimdall first: {url}',
  not_allowed: 'You are not allowed to use {command}.',
  two_factor_required: '{command} needs two-factor authentication, which chat cannot confirm.',
  error: 'Something went wrong running {command}. Please try again later.',
  kind_integer: 'whole number',
  kind_duration: 'duration like 10m, 1h or 7d',
  kind_string: 'word',
  kind_text: 'text',
  kind_user: 'user',
  warned: 'Warned {user}{reason}. They have {count} warning(s) here.',
  warnings_none: '{user} has no warnings here.',
  warnings_list: '{user} has {count} warning(s) here: {list}',
  timed_out: 'Timed out {user} for {duration}{reason}.',
  kicked: 'Kicked {user}{reason}.',
  banned: 'Banned {user}{reason}.',
  not_on_platform: '{command} is not available on {platform}.',
  not_yourself: 'You cannot use {command} on yourself.',
  settings_show: 'Prefix: {prefix} · language: {language} · log channel: {log}',
  settings_changed: 'Settings changed: {changed}.',
  settings_unchanged: 'Nothing to change.',
  settings_invalid: '{message}',
  setting_unknown: 'Unknown setting "{field}": use prefix, language or log.',
  setting_none: 'none',
  setting_auto: 'each message’s',
  security_notice: 'Security notice for {member}: {event} ({time}).',
  reason_suffix: ' (reason: {reason})',
  not_platform_moderator:
    'You cannot {command} here: {platform} does not give you that right in this community.',
  member_protected: '{user} ranks too high for you to {command}.',
  out_of_range: '{platform} does not allow that: {detail}',
} as const;

export type MessageKey = keyof typeof en;

const de: Record<MessageKey, string> = {
  unknown_command: 'Unbekannter Befehl „{command}“.',
  missing_argument: '{argument} fehlt. Verwendung: {usage}',
  invalid_argument: '„{value}“ ist kein gültiger Wert für {argument} ({kind}). Verwendung: {usage}',
  unknown_user: '„{value}“ ist hier kein Benutzer. Verwendung: {usage}',
  unterminated_quote: 'Ein Anführungszeichen wird nicht geschlossen. Verwendung: {usage}',
  too_many_arguments: 'Zu viele Argumente. Verwendung: {usage}',
  cooldown: 'Bitte warte {seconds} s, bevor du {command} wieder verwendest.',
  not_linked: 'Verknüpfe zuerst dein {platform}-Konto mit Heimdall: {url}',
  not_allowed: 'Du darfst {command} nicht verwenden.',
  two_factor_required:
    '{command} erfordert Zwei-Faktor-Authentifizierung, die der Chat nicht bestätigen kann.',
  error: 'Bei {command} ist etwas schiefgegangen. Bitte versuche es später noch einmal.',
  kind_integer: 'ganze Zahl',
  kind_duration: 'Dauer wie 10m, 1h oder 7d',
  kind_string: 'Wort',
  kind_text: 'Text',
  kind_user: 'Benutzer',
  warned: '{user} wurde verwarnt{reason}. Verwarnungen hier: {count}.',
  warnings_none: '{user} hat hier keine Verwarnungen.',
  warnings_list: '{user} hat hier {count} Verwarnung(en): {list}',
  timed_out: '{user} ist für {duration} stummgeschaltet{reason}.',
  kicked: '{user} wurde entfernt{reason}.',
  banned: '{user} wurde gesperrt{reason}.',
  not_on_platform: '{command} gibt es auf {platform} nicht.',
  not_yourself: 'Du kannst {command} nicht auf dich selbst anwenden.',
  settings_show: 'Präfix: {prefix} · Sprache: {language} · Log-Kanal: {log}',
  settings_changed: 'Einstellungen geändert: {changed}.',
  settings_unchanged: 'Nichts zu ändern.',
  settings_invalid: '{message}',
  setting_unknown: 'Unbekannte Einstellung „{field}“: prefix, language oder log.',
  setting_none: 'keiner',
  setting_auto: 'je Nachricht',
  security_notice: 'Sicherheitshinweis zu {member}: {event} ({time}).',
  reason_suffix: ' (Grund: {reason})',
  not_platform_moderator:
    'Du kannst {command} hier nicht verwenden: {platform} gibt dir dieses Recht in dieser Community nicht.',
  member_protected: '{user} steht zu weit oben, als dass du {command} verwenden könntest.',
  out_of_range: '{platform} erlaubt das nicht: {detail}',
};

const CATALOGUES: Record<BotLanguage, Record<MessageKey, string>> = { en, de };

export const isBotLanguage = (value: unknown): value is BotLanguage =>
  typeof value === 'string' && (BOT_LANGUAGES as readonly string[]).includes(value);

/** The catalogue language for a platform locale (`de-AT` → `de`); English for anything else. */
export function languageOf(locale: string | undefined): BotLanguage {
  const base = locale?.toLowerCase().split(/[-_]/)[0];
  return isBotLanguage(base) ? base : 'en';
}

/** A reply in `language`, with `{name}` placeholders filled; an unknown placeholder stays as written. */
export function translate(
  language: BotLanguage,
  key: MessageKey,
  vars: Record<string, string | number> = {},
): string {
  return CATALOGUES[language][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}
