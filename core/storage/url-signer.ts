import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { isValidKey } from './keys.js';

/** What a download token grants: one object, served as `contentType` named `fileName`, until `expiresAt`. */
export interface DownloadGrant {
  key: string;
  contentType: string;
  fileName: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const grantSchema = z.object({
  k: z.string().refine(isValidKey),
  t: z.string().max(255),
  n: z.string().max(255),
  e: z.number().int(),
});

const invalid = () => new AppError('storage.invalid_url', 403, 'This download link is not valid.');

/**
 * The fs driver's signed download URLs, which Heimdall serves itself (`GET /v1/storage/download/{token}`): the
 * grant as base64url JSON and its HMAC-SHA256, keyed with a key derived from the secrets key, so every node
 * accepts what any node signed and nothing outside Heimdall can make one.
 */
export function createUrlSigner(key: Buffer, now: () => number = Date.now) {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    sign(grant: DownloadGrant): string {
      const payload = Buffer.from(
        JSON.stringify({ k: grant.key, t: grant.contentType, n: grant.fileName, e: grant.expiresAt }),
      ).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    /** The grant of a genuine, unexpired token; 403 `storage.invalid_url`, or 410 `storage.url_expired`. */
    verify(token: string): DownloadGrant {
      const [payload, signature, ...rest] = token.split('.');
      if (!payload || !signature || rest.length > 0) throw invalid();
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let parsed: z.infer<typeof grantSchema>;
      try {
        parsed = grantSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      } catch {
        throw invalid();
      }
      if (parsed.e <= now()) {
        throw new AppError('storage.url_expired', 410, 'This download link has expired; ask for a new one.');
      }
      return { key: parsed.k, contentType: parsed.t, fileName: parsed.n, expiresAt: parsed.e };
    },
  };
}

export type UrlSigner = ReturnType<typeof createUrlSigner>;
