import { randomInt } from 'node:crypto';
import { usernameSchema } from '../../schemas/users.js';

/**
 * A Heimdall username for someone who signs up with a platform: their name there, cut to what usernames allow
 * (letters, digits, `_ . -`, starting with a letter or digit, 3 to 32 characters); `attempt` > 0 adds a number,
 * for when the name is taken. Always valid by `usernameSchema`.
 */
export function usernameFor(platformName: string, attempt: number): string {
  let base = platformName
    .normalize('NFKD')
    .replace(/[^\w.-]/g, '')
    .replace(/^[^A-Za-z0-9]+/, '');
  if (base.length < 3) base = `user${base}`;
  const suffix = attempt === 0 ? '' : `_${randomInt(10 ** Math.min(attempt + 3, 8))}`;
  const name = `${base.slice(0, 32 - suffix.length)}${suffix}`;
  return usernameSchema.safeParse(name).success ? name : `user_${randomInt(10 ** 8)}`;
}
