import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { DataExport, DataExportLog, DataExportStatus } from '../../schemas/data-export.js';
import type { Page } from '../../schemas/common.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import { assertScope, requireUserId } from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import type { StorageDriver } from '../storage/driver.js';
import { exportFiles, zipStream, type ExportLocale } from './export-archive.js';

/**
 * Exporting a person's data. A request makes a "DataExport" row and puts the job in this process's queue; the
 * job streams the zip (export-archive.ts) into the storage driver, writing its progress to the row as it goes.
 * When done: a "DataExportLog" row, an audit event and an email with the download link. The zip is kept for
 * KEEP_MS, after which the scheduler's task deletes it and marks the export expired; the same task marks failed
 * the jobs whose process stopped refreshing them (it died), so no export stays "running" for ever.
 */
export const EXPORTS_PER_DAY = 3;
const DAY_MS = 86_400_000;
/** How long the zip is kept. */
export const KEEP_MS = DAY_MS;
/** A queued or running job untouched this long belongs to a process that is gone. */
export const STALE_MS = 15 * 60_000;
/** How long the download route's signed URL works. */
const DOWNLOAD_URL_SECONDS = 300;

interface ExportRow {
  id: string;
  user_id: string;
  status: DataExportStatus;
  progress: number;
  locale: string;
  ip_address: string | null;
  user_agent: string | null;
  storage_key: string | null;
  size_bytes: string | number | null;
  requested_at: Date;
  finished_at: Date | null;
  expires_at: Date | null;
}

const notFoundError = () => notFound('export.not_found', 'No export of yours with this id.');

export const exportKey = (userId: string, exportId: string) => `exports/${userId}/${exportId}.zip`;

export function createDataExportService(deps: {
  db: Knex;
  auditDb: Knex;
  audit: AuditLogger;
  driver: StorageDriver;
  /** The configured public URL: download URLs under it are answered as paths. */
  publicUrl: string;
  /** Emails the person that the export is ready, with the link to download it. */
  onReady: (userId: string, exportId: string, expiresAt: Date) => void;
  onError: (err: unknown, context: string) => void;
  now?: () => Date;
}) {
  const { db, driver } = deps;
  const now = deps.now ?? (() => new Date());
  const audit = auditRecorder(deps.audit, { resource_type: 'data_export' });
  const files = exportFiles(db, deps.auditDb);
  /** Names this process in the rows of the jobs it holds. */
  const runner = randomUUID();
  const queue: string[] = [];
  let working: Promise<void> | undefined;

  const toExport = (row: ExportRow): DataExport => ({
    id: row.id,
    status: row.status,
    progress: row.progress,
    requested_at: row.requested_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
    expires_at: row.expires_at?.toISOString() ?? null,
    size_bytes: row.size_bytes === null ? null : Number(row.size_bytes),
    download_path: row.status === 'done' ? `/v1/user/export/${row.id}/download` : null,
  });

  const own = async (auth: Actor['auth'], id: string): Promise<ExportRow> => {
    const userId = requireUserId(auth);
    assertScope(auth, 'users', 'read');
    const row = await db<ExportRow>('DataExport').where({ id, user_id: userId }).first();
    if (!row) throw notFoundError();
    return row;
  };

  /** Refreshes every job this process holds, so none of them looks abandoned. */
  const heartbeat = (extra: { id: string; progress: number } | undefined) =>
    db.transaction(async (trx) => {
      if (extra) await trx('DataExport').where({ id: extra.id }).update({ progress: extra.progress });
      await trx('DataExport')
        .where({ runner })
        .whereIn('status', ['queued', 'running'])
        .update({ updated_at: trx.fn.now() });
    });

  async function build(row: ExportRow): Promise<void> {
    const key = exportKey(row.user_id, row.id);
    const started = now();
    await db('DataExport')
      .where({ id: row.id })
      .update({ status: 'running', started_at: started, updated_at: db.fn.now() });
    // Events still queued in this process (the request's own sign-in, say) belong in the archive.
    await deps.audit.flush();
    const locale: ExportLocale = row.locale === 'de' ? 'de' : 'en';
    let progress = Promise.resolve();
    const zip = zipStream(row.user_id, locale, files, started, (done, total) => {
      // Progress writes go one after another, never blocking the archive; the last one is awaited below.
      const percent = Math.min(99, Math.floor((done / total) * 100));
      progress = progress.then(() => heartbeat({ id: row.id, progress: percent })).catch(() => undefined);
    });
    await driver.put(key, zip.stream, { contentType: 'application/zip' });
    await progress;
    const size = zip.bytes();
    const finished = now();
    const expiresAt = new Date(finished.getTime() + KEEP_MS);
    await db.transaction(async (trx) => {
      await trx('DataExport').where({ id: row.id }).update({
        status: 'done',
        progress: 100,
        storage_key: key,
        size_bytes: size,
        finished_at: finished,
        expires_at: expiresAt,
        updated_at: trx.fn.now(),
      });
      await trx('DataExportLog').insert({
        user_id: row.user_id,
        exported_at: finished,
        ip_address: row.ip_address,
        user_agent: row.user_agent,
        export_format: 'zip',
        file_size_bytes: size,
        locale,
      });
    });
    audit.record(
      'data_exported',
      {
        source: 'api',
        actorId: row.user_id,
        ip: row.ip_address ?? undefined,
        userAgent: row.user_agent ?? undefined,
      },
      {
        user_id: row.user_id,
        resource_id: row.id,
        metadata: { format: 'zip', size_bytes: size, locale, files: files.length + 1 },
      },
    );
    deps.onReady(row.user_id, row.id, expiresAt);
  }

  async function runOne(id: string): Promise<void> {
    const row = await db<ExportRow>('DataExport').where({ id, status: 'queued' }).first();
    if (!row) return;
    try {
      await build(row);
    } catch (err) {
      deps.onError(err, 'could not build a data export');
      await driver.delete(exportKey(row.user_id, row.id)).catch(() => undefined);
      await db('DataExport')
        .where({ id })
        .update({
          status: 'failed',
          error: 'The export could not be built.',
          finished_at: now(),
          updated_at: db.fn.now(),
        })
        .catch((e: unknown) => deps.onError(e, 'could not mark a data export failed'));
    }
  }

  /** Deletes every zip under exports/ whose export is gone, expired or failed; answers how many. */
  async function deleteOrphans(): Promise<number> {
    let deleted = 0;
    for await (const object of driver.list('exports/')) {
      const id = /^exports\/[^/]+\/([0-9a-f-]{36})\.zip$/.exec(object.key)?.[1];
      const kept = id
        ? await db('DataExport').where({ id }).whereIn('status', ['queued', 'running', 'done']).first('id')
        : undefined;
      if (kept) continue;
      await driver.delete(object.key);
      deleted += 1;
    }
    return deleted;
  }

  /** Works through the queue, one job at a time (each holds one database connection at a time). */
  function drain(): Promise<void> {
    working ??= (async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await runOne(id);
    })().finally(() => {
      working = undefined;
    });
    return working;
  }

  return {
    /** `POST /v1/user/export`: queues an export, at most EXPORTS_PER_DAY in 24 hours (failed ones not counted). */
    async request(actor: Actor): Promise<DataExport> {
      const userId = requireUserId(actor.auth);
      assertScope(actor.auth, 'users', 'read');
      const at = now();
      const row = await db.transaction(async (trx) => {
        // One request of the person at a time, so two at once cannot both pass the limit.
        const user = await trx('User')
          .where({ id: userId })
          .forUpdate()
          .first<{ preferred_locale: string | null }>('preferred_locale');
        if (!user) throw notFoundError();
        const recent = await trx('DataExport')
          .where({ user_id: userId })
          .whereNot({ status: 'failed' })
          .where('requested_at', '>', new Date(at.getTime() - DAY_MS))
          .orderBy('requested_at')
          .pluck<Date[]>('requested_at');
        if (recent.length >= EXPORTS_PER_DAY) {
          const retryAfter = Math.max(1, Math.ceil((recent[0]!.getTime() + DAY_MS - at.getTime()) / 1000));
          throw new AppError(
            'export.limit_reached',
            429,
            `At most ${EXPORTS_PER_DAY} exports in 24 hours; try again later.`,
            { retry_after_seconds: retryAfter },
          );
        }
        const [inserted] = await trx('DataExport')
          .insert({
            user_id: userId,
            locale: user.preferred_locale === 'de' ? 'de' : 'en',
            ip_address: actor.ip ?? null,
            user_agent: actor.userAgent ?? null,
            runner,
            requested_at: at,
          })
          .returning<ExportRow[]>('*');
        return inserted!;
      });
      queue.push(row.id);
      void drain();
      return toExport(row);
    },

    /** `GET /v1/user/export`: the latest export, or 404 when there was none. */
    async latest(auth: Actor['auth']): Promise<DataExport> {
      const userId = requireUserId(auth);
      assertScope(auth, 'users', 'read');
      const row = await db<ExportRow>('DataExport')
        .where({ user_id: userId })
        .orderBy('requested_at', 'desc')
        .first();
      if (!row) throw notFound('export.not_found', 'You have not exported your data yet.');
      return toExport(row);
    },

    get: async (auth: Actor['auth'], id: string): Promise<DataExport> => toExport(await own(auth, id)),

    /**
     * `GET /v1/user/export/:id/download`: where a fresh signed URL of the zip is, while it is kept. A URL of this
     * server (the fs driver's) is answered as its path, so the client follows it on the origin it reached us by.
     */
    async downloadUrl(auth: Actor['auth'], id: string): Promise<string> {
      const row = await own(auth, id);
      if (row.status === 'expired' || (row.expires_at && row.expires_at.getTime() <= now().getTime())) {
        throw new AppError('export.expired', 410, 'This export was deleted; request a new one.');
      }
      if (row.status !== 'done' || !row.storage_key) {
        throw new AppError(
          'export.not_ready',
          409,
          `This export is ${row.status}; it has no file to download.`,
        );
      }
      const url = new URL(
        await driver.signedUrl(row.storage_key, {
          expiresInSeconds: DOWNLOAD_URL_SECONDS,
          contentType: 'application/zip',
          fileName: `heimdall-export-${row.requested_at.toISOString().slice(0, 10)}.zip`,
        }),
      );
      return url.origin === new URL(deps.publicUrl).origin ? `${url.pathname}${url.search}` : url.toString();
    },

    /** `GET /v1/user/export/logs`: the history of finished exports, newest first. */
    async logs(
      auth: Actor['auth'],
      page: Page,
    ): Promise<{ data: DataExportLog[]; pagination: Page & { total: number } }> {
      const userId = requireUserId(auth);
      assertScope(auth, 'users', 'read');
      const [rows, [count]] = await Promise.all([
        db('DataExportLog')
          .where({ user_id: userId })
          .orderBy([
            { column: 'exported_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ])
          .limit(page.per_page)
          .offset((page.page - 1) * page.per_page)
          .select<
            {
              id: string;
              exported_at: Date;
              export_format: string;
              file_size_bytes: string | null;
              locale: string | null;
              ip_address: string | null;
              user_agent: string | null;
            }[]
          >('id', 'exported_at', 'export_format', 'file_size_bytes', 'locale', 'ip_address', 'user_agent'),
        db('DataExportLog').where({ user_id: userId }).count<{ n: string }[]>({ n: '*' }),
      ]);
      return {
        data: rows.map((r) => ({
          ...r,
          exported_at: r.exported_at.toISOString(),
          file_size_bytes: r.file_size_bytes === null ? null : Number(r.file_size_bytes),
        })),
        pagination: { ...page, total: Number(count?.n ?? 0) },
      };
    },

    /**
     * The scheduler's task: deletes the zips kept past their time and marks those exports expired; marks failed
     * the queued or running jobs no process has refreshed for STALE_MS; deletes the zips no export names any more
     * (erasing an account deletes its exports' rows, not the files).
     */
    async housekeeping(at: Date = now()): Promise<{ expired: number; abandoned: number; orphaned: number }> {
      const abandoned = await db('DataExport')
        .whereIn('status', ['queued', 'running'])
        .where('updated_at', '<', new Date(at.getTime() - STALE_MS))
        .update({ status: 'failed', error: 'The export stopped before it was done.', finished_at: at });
      let expired = 0;
      for (;;) {
        const due = await db<ExportRow>('DataExport')
          .where({ status: 'done' })
          .where('expires_at', '<=', at)
          .orderBy('expires_at')
          .limit(100);
        if (due.length === 0) return { expired, abandoned, orphaned: await deleteOrphans() };
        for (const row of due) {
          // The file first: a failure leaves the row done, and the next run tries again.
          if (row.storage_key) await driver.delete(row.storage_key);
          await db('DataExport').where({ id: row.id }).update({ status: 'expired', updated_at: db.fn.now() });
          expired += 1;
        }
      }
    },

    /** Resolves when this process's queue is empty (tests, shutdown). */
    idle: async (): Promise<void> => {
      while (working) await working;
    },
  };
}

export type DataExportService = ReturnType<typeof createDataExportService>;
