import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { notFound } from '../errors/index.js';
import type { StorageDriver } from './driver.js';
import { attachment } from './disposition.js';
import { assertValidKey, assertValidPrefix } from './keys.js';

export interface S3Settings {
  /** Empty: AWS S3 of `region`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

const isNotFound = (err: unknown) =>
  err instanceof S3ServiceException &&
  (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404);

/** Multipart parts of 8 MB, two in flight: an upload holds about 16 MB of its body at most. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

/**
 * Any S3-compatible object store. Uploads stream as multipart uploads (lib-storage), aborted when the body
 * fails, so a refused upload leaves no object and no parts; downloads are presigned GETs the store serves.
 */
export function createS3Driver(settings: S3Settings, options: { now?: () => number } = {}): StorageDriver {
  const now = options.now ?? Date.now;
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.accessKeyId
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    // The SDK's default CRC32 trailers (aws-chunked uploads) are AWS's own; MinIO, Ceph, R2 and others take
    // plain requests. The service checks its own SHA-256 of every upload anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = settings.bucket;

  return {
    kind: 's3',
    async put(key, body, { contentType }) {
      assertValidKey(key);
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: contentType },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
      });
      // lib-storage stops reading a failed body but does not always reject at once: settle on either.
      await new Promise<void>((resolve, reject) => {
        body.once('error', (err) => {
          void upload.abort().catch(() => undefined);
          reject(err);
        });
        upload.done().then(() => resolve(), reject);
      });
    },
    async get(key) {
      assertValidKey(key);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        if (res.Body instanceof Readable) return res.Body;
        throw new Error('the S3 client answered a body that is not a Node stream');
      } catch (err) {
        if (isNotFound(err)) throw notFound('storage.not_found', 'No such file.');
        throw err;
      }
    },
    async stat(key) {
      assertValidKey(key);
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return {
          key,
          size: res.ContentLength ?? 0,
          contentType: res.ContentType,
          lastModified: res.LastModified ?? new Date(0),
        };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async delete(key) {
      assertValidKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async *list(prefix) {
      assertValidPrefix(prefix);
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key) continue;
          yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async signedUrl(key, { expiresInSeconds, contentType, fileName }) {
      assertValidKey(key);
      const command = new GetObjectCommand({
        Bucket,
        Key: key,
        ResponseContentType: contentType,
        ResponseContentDisposition: attachment(fileName),
      });
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds, signingDate: new Date(now()) });
    },
    close() {
      client.destroy();
    },
  };
}
