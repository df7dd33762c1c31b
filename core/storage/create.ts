import path from 'node:path';
import type { Config } from '../../schemas/config.js';
import type { StorageDriver } from './driver.js';
import { createFsDriver } from './fs-driver.js';
import { createS3Driver } from './s3-driver.js';
import type { UrlSigner } from './url-signer.js';

/** The driver `[storage]` names: a directory under data_dir, or an S3-compatible store. */
export function createStorageDriver(config: Config, signer: UrlSigner): StorageDriver {
  const { storage } = config;
  if (storage.driver === 's3') {
    return createS3Driver({
      endpoint: storage.s3.endpoint,
      region: storage.s3.region,
      bucket: storage.s3.bucket,
      accessKeyId: storage.s3.access_key_id,
      secretAccessKey: storage.s3.secret_access_key,
      forcePathStyle: storage.s3.force_path_style,
    });
  }
  return createFsDriver({
    root: path.resolve(config.data_dir, storage.dir),
    signer,
    downloadUrl: `${config.server.public_url.replace(/\/+$/, '')}/v1/storage/download`,
  });
}
