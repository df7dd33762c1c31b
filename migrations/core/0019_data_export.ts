import type { Migration } from '../types.js';

/**
 * "DataExport": a person's request for a copy of their data, and the background job that builds it. The row is
 * the job's state, so its progress shows on every node and a job whose process died is seen (its `updated_at`
 * stops moving) and marked failed. "DataExportLog" (fixed columns) keeps the history of finished exports; this
 * table holds what the job needs besides: where the zip is, until when, and who asked from where. `runner` names
 * the process that holds the job in its queue; it refreshes `updated_at` of every job it holds while it works.
 */
export const dataExport: Migration = {
  name: '0019_data_export',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "DataExport" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        status TEXT NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'running', 'done', 'failed', 'expired')),
        progress SMALLINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        locale VARCHAR(10) NOT NULL,
        ip_address INET,
        user_agent TEXT,
        runner UUID,
        storage_key TEXT,
        size_bytes BIGINT CHECK (size_bytes IS NULL OR size_bytes >= 0),
        error TEXT,
        requested_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ,
        expires_at TIMESTAMPTZ,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CHECK (status <> 'done' OR (storage_key IS NOT NULL AND expires_at IS NOT NULL))
      );
      CREATE INDEX "DataExport_user_id_requested_at_idx" ON "DataExport" (user_id, requested_at DESC);
      CREATE INDEX "DataExport_expires_at_idx" ON "DataExport" (expires_at) WHERE status = 'done';
      CREATE INDEX "DataExport_unfinished_idx" ON "DataExport" (updated_at) WHERE status IN ('queued', 'running');
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "DataExport";`);
  },
};
