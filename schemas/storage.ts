import { z } from 'zod';
import { listOf, paginationQuery, timestamp, uuidParam } from './common.js';

/** A file's name as people see it: no control characters, no path separators, at most 255 characters. */
export const fileName = z
  .string()
  .min(1, 'Must not be empty.')
  .max(255, 'Must be at most 255 characters.')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'Must not contain control characters, / or \\.')
  .refine((name) => name !== '.' && name !== '..', 'Must not be . or ..');

export const uploadFileQuery = z.object({
  name: fileName.describe('The file name, shown to people and used for downloads'),
});

export const storedFileSchema = z.object({
  id: z.uuid(),
  owner_id: z.uuid().nullable().describe('The user who uploaded it; null for a system API key'),
  name: z.string(),
  content_type: z.string(),
  size: z.number().int().describe('Bytes'),
  sha256: z.string().describe('Hex SHA-256 of the contents'),
  created_at: timestamp,
  updated_at: timestamp,
});
export type StoredFile = z.infer<typeof storedFileSchema>;

export const storedFileListSchema = listOf(storedFileSchema);

export const storedFileQuery = z.object({
  owner_id: z
    .uuid()
    .optional()
    .describe("Only this user's files (others' need storage:read); without storage:read, your own always"),
  ...paginationQuery,
});
export type StoredFileQuery = z.infer<typeof storedFileQuery>;

export const storedFileParams = uuidParam;

export const updateStoredFileBody = z.strictObject({ name: fileName });
export type UpdateStoredFile = z.infer<typeof updateStoredFileBody>;

export const downloadUrlQuery = z.object({
  expires_in: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Seconds the URL works for; at most (and by default) storage.signed_url_ttl_seconds'),
});

export const downloadUrlSchema = z.object({
  url: z.string().describe('Works without a credential until expires_at'),
  expires_at: timestamp,
});

export const downloadTokenParams = z.object({ token: z.string().min(1).max(4096) });
