import { z } from 'zod';
/**
 * Sign-in platforms seeded into the Platform table: github, kick, steam and trovo
 * ship disabled until an operator configures them.
 */
export interface PlatformDefinition {
  id: string;
  name: string;
  enabled: boolean;
}

export const PLATFORMS: readonly PlatformDefinition[] = [
  { id: 'email', name: 'Email', enabled: true },
  { id: 'twitch', name: 'Twitch', enabled: true },
  { id: 'discord', name: 'Discord', enabled: true },
  { id: 'github', name: 'GitHub', enabled: false },
  { id: 'google', name: 'Google (YouTube)', enabled: true },
  { id: 'kick', name: 'Kick', enabled: false },
  { id: 'steam', name: 'Steam', enabled: false },
  { id: 'trovo', name: 'Trovo', enabled: false },
];

/** A platform's id as the Platform table's check constraint allows it (lowercase letters, digits, "_"). */
export const platformIdSchema = z
  .string()
  .regex(/^[a-z0-9_]{1,50}$/, 'Lowercase letters, digits and "_", at most 50 characters.');

/** A platform as the admin panel shows it. */
export const platformSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean().describe('Offered on the sign-in pages'),
  display_order: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type PlatformRecord = z.infer<typeof platformSchema>;
