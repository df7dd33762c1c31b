import { z } from 'zod';
import { listOf, paginationQuery, timestamp } from './common.js';

export const DATA_EXPORT_STATUSES = ['queued', 'running', 'done', 'failed', 'expired'] as const;
export type DataExportStatus = (typeof DATA_EXPORT_STATUSES)[number];

/** One export of a person's data: the background job that builds the zip, and the zip while it is kept. */
export const dataExportSchema = z.object({
  id: z.uuid(),
  status: z
    .enum(DATA_EXPORT_STATUSES)
    .describe('queued, running, done (the zip can be downloaded), failed, or expired (the zip is deleted)'),
  progress: z.number().int().min(0).max(100).describe('Percent of the archive written'),
  requested_at: timestamp,
  finished_at: timestamp.nullable(),
  expires_at: timestamp.nullable().describe('When the zip is deleted (24 hours after it was made)'),
  size_bytes: z.number().nullable(),
  download_path: z
    .string()
    .nullable()
    .describe('Where to download the zip while it is kept (redirects to a short-lived signed URL)'),
});
export type DataExport = z.infer<typeof dataExportSchema>;

/** A finished export, as the history keeps it ("DataExportLog"). */
export const dataExportLogSchema = z.object({
  id: z.uuid(),
  exported_at: timestamp,
  export_format: z.string(),
  file_size_bytes: z.number().nullable(),
  locale: z.string().nullable(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
});
export type DataExportLog = z.infer<typeof dataExportLogSchema>;

export const dataExportLogQuery = z.strictObject(paginationQuery);
export const dataExportLogList = listOf(dataExportLogSchema);
