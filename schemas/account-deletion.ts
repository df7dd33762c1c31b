import { z } from 'zod';

/** `POST /v1/user/delete`: the current password, for people who have one. */
export const requestDeletionBody = z.strictObject({
  password: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe(
      'Your current password; without one, a sign-in of the last 10 minutes (your session) is needed',
    ),
});

export const deletionStatusSchema = z.object({
  scheduled: z.boolean(),
  requested_at: z.string().nullable().describe('When the deletion was asked for (ISO 8601)'),
  purge_after: z
    .string()
    .nullable()
    .describe('When the account and its data are erased (ISO 8601); until then it can be cancelled'),
});

/** `POST /v1/users/:id/purge`: why the administrator erases the account (kept in the audit log). */
export const purgeUserBody = z.strictObject({
  reason: z.string().trim().min(1).max(500),
});
