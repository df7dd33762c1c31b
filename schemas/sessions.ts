import { z } from 'zod';

/** Sessions (the Session table). The token itself is never part of an answer but `create`. */
export const sessionTokenBody = z.strictObject({
  session_token: z
    .string()
    .min(1)
    .max(200)
    .describe('The session token from the app’s session cookie (hs_…)'),
});

export const sessionSchema = z.object({
  id: z.uuid(),
  created_at: z.date(),
  expires: z.date(),
  last_activity_at: z.date().nullable(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  provider: z.string().nullable(),
  current: z.boolean().describe('The session this request was made with'),
});

export const sessionListSchema = z.object({ data: z.array(sessionSchema) });

export const refreshedSessionSchema = z.object({ id: z.uuid(), expires: z.date() });

export const revokedCountSchema = z.object({ revoked: z.number().int() });
