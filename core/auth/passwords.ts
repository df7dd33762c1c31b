import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/**
 * Argon2id at OWASP's recommended minimum (19 MiB, 2 iterations, 1 lane): about 23 ms of one core per check on
 * a 2-vCPU VM, run on libuv's thread pool so the event loop keeps serving (see `npm run bench` for sign-ins/s
 * and the lag of other requests). Hashes carry their own parameters: changing these later keeps old hashes
 * valid, and `needsRehash` tells the sign-in to upgrade them.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const needsRehash = (hash: string): boolean => argon2.needsRehash(hash, OPTIONS);

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, OPTIONS);

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A random password for bootstrap accounts: 24 URL-safe characters (144 bits). */
export const generatePassword = (): string => randomBytes(18).toString('base64url');
