import type { Readable } from 'node:stream';

/** What a driver knows about a stored object. */
export interface StoredObject {
  key: string;
  size: number;
  /** The fs driver keeps no media type; the caller's metadata row holds it. */
  contentType?: string | undefined;
  lastModified: Date;
}

export interface SignedUrlOptions {
  /** Seconds the URL works for, from now. */
  expiresInSeconds: number;
  /** Sent back as the download's Content-Type and attachment file name. */
  contentType: string;
  fileName: string;
}

/**
 * Where file contents live. Keys are checked by every driver (`keys.ts`); contents always move as streams, so
 * no method holds a whole file in memory. Metadata (owner, name, checksum) is the service's, in PostgreSQL.
 */
export interface StorageDriver {
  readonly kind: 'fs' | 's3';
  /**
   * Stores `body` under `key`, replacing what was there once the whole body has arrived: a body that fails
   * (its stream errors) leaves nothing behind and the promise rejects with that error.
   */
  put(key: string, body: Readable, options: { contentType: string }): Promise<void>;
  /** The object's contents; rejects with `storage.not_found` (404) when there is none. */
  get(key: string): Promise<Readable>;
  /** Undefined when there is no such object. */
  stat(key: string): Promise<StoredObject | undefined>;
  /** Removes the object; removing one that is gone is no error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix` (the fs driver and AWS S3 in key order; not every store). */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** A URL anyone holding it can download the object from until it expires. */
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>;
  /** Releases connections (the S3 client's sockets). */
  close(): void;
}
