import { PassThrough, Readable, Transform } from 'node:stream';
import type { Knex } from 'knex';
import yazl from 'yazl';

/**
 * What a person's data export holds, and how it is written: a zip whose files are JSON, each written while the
 * rows are read page by page, so neither a file nor the archive is ever whole in memory. Only columns named
 * here are read: password hashes, key hashes, TOTP seeds, client secrets, session and platform tokens never
 * leave the database.
 */
export type ExportLocale = 'en' | 'de';

type Row = Record<string, unknown>;

interface ExportFile {
  name: string;
  /** What the file holds, for the README. */
  about: Record<ExportLocale, string>;
  /** The file's JSON text, in pieces. */
  write(userId: string): AsyncIterable<string>;
}

/** Rows read per query. */
const PAGE = 500;

/**
 * Every row `query` finds, in (created_at, id) order, a page per query. The cursor is the timestamp as text:
 * a JavaScript Date would drop the microseconds and repeat or skip rows.
 */
export async function* keysetRows(
  db: Knex,
  table: string,
  query: () => Knex.QueryBuilder,
): AsyncIterable<Row> {
  let after: [string, string] | undefined;
  for (;;) {
    const rows: Row[] = await query()
      .select(db.raw(`??.created_at::text AS keyset_at`, [table]))
      .modify((q) => {
        if (after) q.whereRaw(`(??.created_at, ??.id) > (?::timestamptz, ?)`, [table, table, ...after]);
      })
      .orderBy([`${table}.created_at`, `${table}.id`])
      .limit(PAGE);
    for (const { keyset_at: _at, ...row } of rows) yield row;
    const last = rows.at(-1);
    if (rows.length < PAGE || !last) return;
    after = [String(last.keyset_at), String(last.id)];
  }
}

/** `rows` as a JSON array, one element per line. */
/** Text gathered into chunks of this size: deflate pays per write, and a row is a few hundred bytes. */
const CHUNK_CHARS = 64 * 1024;

async function* inChunks(parts: AsyncIterable<string>): AsyncIterable<string> {
  let pending = '';
  for await (const part of parts) {
    pending += part;
    if (pending.length >= CHUNK_CHARS) {
      yield pending;
      pending = '';
    }
  }
  if (pending) yield pending;
}

export async function* jsonArray(rows: AsyncIterable<Row>): AsyncIterable<string> {
  let first = true;
  yield '[';
  for await (const row of rows) {
    yield `${first ? '\n' : ',\n'}  ${JSON.stringify(row)}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

async function* jsonValue(value: PromiseLike<unknown>): AsyncIterable<string> {
  yield `${JSON.stringify(await value, null, 2)}\n`;
}

const SESSION_COLUMNS = [
  'id',
  'provider',
  'ip_address',
  'user_agent',
  'created_at',
  'last_activity_at',
  'expires',
];

/** The files of the archive, README.md aside, in the order they are written. */
export function exportFiles(db: Knex, auditDb: Knex): ExportFile[] {
  const table = (
    name: string,
    about: ExportFile['about'],
    source: string,
    where: (userId: string) => Record<string, string>,
    columns: readonly string[],
  ): ExportFile => ({
    name,
    about,
    write: (userId) =>
      jsonArray(
        keysetRows(db, source, () =>
          db(source)
            .where(where(userId))
            .select(columns.map((c) => `${source}.${c}`)),
        ),
      ),
  });
  return [
    {
      name: 'profile.json',
      about: {
        en: 'Your account: username, language, privacy mode, dates.',
        de: 'Ihr Konto: Benutzername, Sprache, Privatsphäre-Modus, Daten.',
      },
      write: (userId) =>
        jsonValue(
          db('User')
            .where({ id: userId })
            .first(
              'id',
              'username',
              'preferred_locale',
              'privacy_mode',
              'primary_platform_account_id',
              'created_at',
              'updated_at',
              'last_login_at',
              'last_login_platform_account_id',
            ),
        ),
    },
    {
      name: 'sign-in-methods.json',
      about: {
        en: 'The accounts you sign in with (email, Discord, Twitch, YouTube), and whether a password is set. Not the password, nor the platforms’ tokens.',
        de: 'Die Konten, mit denen Sie sich anmelden (E-Mail, Discord, Twitch, YouTube), und ob ein Passwort gesetzt ist. Nicht das Passwort und nicht die Tokens der Plattformen.',
      },
      write: (userId) =>
        jsonArray(
          keysetRows(db, 'PlatformAccount', () =>
            db('PlatformAccount')
              .where({ user_id: userId })
              .select(
                'id',
                'platform_id',
                'platform_user_id',
                'username',
                'email',
                'email_verified_at',
                'avatar_url',
                'youtube_channel_id',
                'updated_at',
                'created_at',
                db.raw('password_hash IS NOT NULL AS has_password'),
              ),
          ),
        ),
    },
    {
      name: 'roles.json',
      about: { en: 'The roles you hold, since when.', de: 'Ihre Rollen, seit wann.' },
      write: (userId) =>
        jsonArray(
          keysetRows(db, 'UserRole', () =>
            db('UserRole')
              .join('Role', 'Role.id', 'UserRole.role_id')
              .where({ 'UserRole.user_id': userId })
              .select(
                'UserRole.id',
                'UserRole.role_id',
                'Role.name',
                'Role.description',
                'UserRole.created_at',
              ),
          ),
        ),
    },
    table(
      'sessions.json',
      {
        en: 'Your sessions: where and with what you are signed in. Not their tokens.',
        de: 'Ihre Sitzungen: wo und womit Sie angemeldet sind. Nicht deren Tokens.',
      },
      'Session',
      (userId) => ({ user_id: userId }),
      SESSION_COLUMNS,
    ),
    {
      name: 'consents.json',
      about: {
        en: 'The apps you let in, with what they may see.',
        de: 'Die Apps, denen Sie Zugriff gegeben haben, und was sie sehen dürfen.',
      },
      write: (userId) =>
        jsonArray(
          keysetRows(db, 'OAuthConsent', () =>
            db('OAuthConsent')
              .join('OAuthClient', 'OAuthClient.id', 'OAuthConsent.client_id')
              .where({ 'OAuthConsent.user_id': userId })
              .select(
                'OAuthConsent.id',
                'OAuthClient.client_id',
                'OAuthClient.name AS client_name',
                'OAuthConsent.scopes',
                'OAuthConsent.created_at',
                'OAuthConsent.updated_at',
              ),
          ),
        ),
    },
    table(
      'oauth-clients.json',
      {
        en: 'The OAuth apps you registered. Not their secrets.',
        de: 'Die OAuth-Apps, die Sie registriert haben. Nicht deren Geheimnisse.',
      },
      'OAuthClient',
      (userId) => ({ user_id: userId }),
      [
        'id',
        'client_id',
        'name',
        'description',
        'logo_url',
        'redirect_uris',
        'post_logout_redirect_uris',
        'grant_types',
        'scopes',
        'token_endpoint_auth_method',
        'is_first_party',
        'is_active',
        'created_at',
        'updated_at',
      ],
    ),
    table(
      'api-keys.json',
      {
        en: 'Your API keys: names, scopes, use. Not the keys.',
        de: 'Ihre API-Schlüssel: Namen, Berechtigungen, Nutzung. Nicht die Schlüssel.',
      },
      'ApiKey',
      (userId) => ({ user_id: userId }),
      [
        'id',
        'name',
        'description',
        'key_prefix',
        'scopes',
        'is_active',
        'expires_at',
        'last_used_at',
        'created_at',
      ],
    ),
    {
      name: 'two-factor.json',
      about: {
        en: 'Whether two-factor authentication is on, since when. Not its secret nor your backup codes.',
        de: 'Ob die Zwei-Faktor-Authentifizierung an ist, seit wann. Nicht ihr Geheimnis und nicht Ihre Backup-Codes.',
      },
      write: (userId) =>
        jsonValue(
          db('UserTwoFactor')
            .where({ user_id: userId })
            .first('enabled', 'enabled_at', 'created_at')
            .then((row: Row | undefined) => row ?? { enabled: false, enabled_at: null, created_at: null }),
        ),
    },
    {
      name: 'audit-events.json',
      about: {
        en: 'The audit log’s events about you or caused by you (sign-ins, changes), oldest first.',
        de: 'Die Ereignisse des Audit-Protokolls über Sie oder von Ihnen ausgelöst (Anmeldungen, Änderungen), älteste zuerst.',
      },
      write: (userId) =>
        jsonArray(
          keysetRows(auditDb, 'AuditEvent', () =>
            auditDb('AuditEvent')
              .where((q) => q.where({ user_id: userId }).orWhere({ actor_id: userId }))
              .select('*'),
          ),
        ),
    },
    table(
      'warnings.json',
      {
        en: 'The warnings you gave as a moderator through the bots.',
        de: 'Die Verwarnungen, die Sie als Moderator über die Bots ausgesprochen haben.',
      },
      'BotWarning',
      (userId) => ({ moderator_user_id: userId }),
      [
        'id',
        'platform',
        'community_id',
        'member_platform_id',
        'member_name',
        'reason',
        'moderator_platform_id',
        'created_at',
      ],
    ),
    table(
      'files.json',
      {
        en: 'The files you uploaded (name, type, size, checksum; not their contents).',
        de: 'Die Dateien, die Sie hochgeladen haben (Name, Typ, Größe, Prüfsumme; nicht deren Inhalt).',
      },
      'StoredFile',
      (userId) => ({ owner_user_id: userId }),
      ['id', 'name', 'content_type', 'size', 'sha256', 'created_at', 'updated_at'],
    ),
    table(
      'bans.json',
      { en: 'Bans of your account, lifted or not.', de: 'Sperren Ihres Kontos, aufgehoben oder nicht.' },
      'UserBan',
      (userId) => ({ user_id: userId }),
      ['id', 'reason', 'created_at', 'expires_at', 'lifted_at'],
    ),
    table(
      'export-history.json',
      { en: 'Your earlier data exports.', de: 'Ihre früheren Datenexporte.' },
      'DataExportLog',
      (userId) => ({ user_id: userId }),
      [
        'id',
        'exported_at',
        'export_format',
        'file_size_bytes',
        'locale',
        'ip_address',
        'user_agent',
        'created_at',
      ],
    ),
  ];
}

const README: Record<
  ExportLocale,
  { title: string; intro: string; files: string; gps: string; formats: string }
> = {
  en: {
    title: 'Your Heimdall data',
    intro: 'This archive holds a copy of the data Heimdall keeps about you, made on',
    files: 'Files',
    gps: 'GPS positions are not included: Heimdall stores them without naming whose they are, so none can be told to be yours.',
    formats:
      'Every file is JSON (UTF-8). Dates are ISO 8601 in UTC. Secrets (password hash, key hashes, two-factor seed, backup codes, app secrets, session and platform tokens) are never included.',
  },
  de: {
    title: 'Ihre Heimdall-Daten',
    intro: 'Dieses Archiv enthält eine Kopie der Daten, die Heimdall über Sie speichert, erstellt am',
    files: 'Dateien',
    gps: 'GPS-Positionen sind nicht enthalten: Heimdall speichert sie, ohne zu vermerken, wem sie gehören, daher lässt sich keine Ihnen zuordnen.',
    formats:
      'Jede Datei ist JSON (UTF-8). Zeitangaben sind ISO 8601 in UTC. Geheimnisse (Passwort-Hash, Schlüssel-Hashes, Zwei-Faktor-Geheimnis, Backup-Codes, App-Geheimnisse, Sitzungs- und Plattform-Tokens) sind nie enthalten.',
  },
};

export function readme(locale: ExportLocale, files: readonly ExportFile[], at: Date): string {
  const r = README[locale];
  return [
    `# ${r.title}`,
    '',
    `${r.intro} ${at.toISOString()}.`,
    '',
    `## ${r.files}`,
    '',
    ...files.map((f) => `- \`${f.name}\`: ${f.about[locale]}`),
    '',
    r.gps,
    '',
    r.formats,
    '',
  ].join('\n');
}

/**
 * The archive as a stream: README.md, then every file, each read only when the zip reaches it (one database
 * query at a time). `onFile` is told after each file; a failing file fails the stream.
 */
export function zipStream(
  userId: string,
  locale: ExportLocale,
  files: readonly ExportFile[],
  at: Date,
  onFile: (done: number, total: number) => void,
): { stream: Readable; bytes: () => number } {
  const zip = new yazl.ZipFile();
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const fail = (err: unknown) => counted.destroy(err instanceof Error ? err : new Error(String(err)));
  zip.on('error', fail);
  zip.addBuffer(Buffer.from(readme(locale, files, at)), 'README.md', { mtime: at });
  files.forEach((file, index) => {
    // Deflate's fastest level: the audit log's JSON dominates the export's time at the default level, and
    // repetitive JSON compresses nearly as well either way.
    zip.addReadStreamLazy(file.name, { mtime: at, compressionLevel: 1 }, (cb) => {
      const body = Readable.from(inChunks(file.write(userId)));
      // yazl pipes the entry without listening for its errors: the archive must fail, not stall.
      body.on('error', fail);
      body.on('end', () => onFile(index + 1, files.length));
      cb(null, body);
    });
  });
  zip.end();
  const out = new PassThrough();
  (zip.outputStream as Readable).pipe(counted).pipe(out);
  counted.on('error', (err) => out.destroy(err));
  return { stream: out, bytes: () => bytes };
}
