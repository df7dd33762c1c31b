import { z } from 'zod';

/** `GET /v1/user/connected-apps`: the apps you have let in, and what they may see and do. */
export const connectedAppSchema = z.object({
  id: z.uuid().describe('The consent id (use it to disconnect the app)'),
  client_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  logo_url: z.string().nullable(),
  scopes: z.array(z.string()).describe('What you allowed'),
  created_at: z.date().describe('When you first allowed it'),
  updated_at: z.date(),
});

export const connectedAppListSchema = z.object({ data: z.array(connectedAppSchema) });
