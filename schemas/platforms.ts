/**
 * Sign-in platforms seeded into the Platform table (seed 004, "Overview"): github, kick, steam and trovo
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
