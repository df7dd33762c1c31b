import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { StorageDriver } from '../../core/storage/driver.js';
import { createFsDriver } from '../../core/storage/fs-driver.js';
import { createS3Driver } from '../../core/storage/s3-driver.js';
import { createUrlSigner } from '../../core/storage/url-signer.js';
import { startLocalS3 } from '../support/s3.js';

const text = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};
const body = (s: string) => Readable.from([Buffer.from(s)]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Subject {
  driver: StorageDriver;
  /** Where every file of the driver lives on disk, if it is a directory (to look for escapes). */
  root?: string;
  stop(): Promise<void>;
}

/** The fs driver, with a small server standing in for Heimdall's download route. */
async function fsSubject(): Promise<Subject> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'heimdall-fs-'));
  const signer = createUrlSigner(Buffer.alloc(32, 3));
  const holder: { driver?: StorageDriver } = {};
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const grant = signer.verify(decodeURIComponent(req.url!.split('/').pop()!));
        res.setHeader('content-type', grant.contentType);
        await pipeline(await holder.driver!.get(grant.key), res);
      } catch (err) {
        res.statusCode = (err as { status?: number }).status ?? 500;
        res.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const driver = (holder.driver = createFsDriver({
    root: path.join(root, 'files'),
    signer,
    downloadUrl: `http://127.0.0.1:${port}/d`,
  }));
  return {
    driver,
    root,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

async function s3Subject(): Promise<Subject> {
  const s3 = await startLocalS3();
  const driver = createS3Driver({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  });
  return {
    driver,
    async stop() {
      driver.close();
      await s3.stop();
    },
  };
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe.each([
  ['fs', fsSubject],
  ['s3', s3Subject],
])('the %s storage driver', (_kind, start) => {
  let subject: Subject;
  let driver: StorageDriver;
  beforeAll(async () => {
    subject = await start();
    driver = subject.driver;
  });
  afterAll(() => subject.stop());

  it('stores and reads back, states size, replaces and deletes', async () => {
    await driver.put('rt/a.txt', body('hello'), { contentType: 'text/plain' });
    expect(await text(await driver.get('rt/a.txt'))).toBe('hello');
    expect(await driver.stat('rt/a.txt')).toMatchObject({ key: 'rt/a.txt', size: 5 });
    await driver.put('rt/a.txt', body('bye'), { contentType: 'text/plain' });
    expect(await text(await driver.get('rt/a.txt'))).toBe('bye');
    await driver.delete('rt/a.txt');
    expect(await driver.stat('rt/a.txt')).toBeUndefined();
    await expect(driver.get('rt/a.txt')).rejects.toMatchObject({ code: 'storage.not_found', status: 404 });
    // Deleting what is gone is no error.
    await driver.delete('rt/a.txt');
  });

  it('keeps nothing of a body that fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(driver.put('broken/x', failing, { contentType: 'text/plain' })).rejects.toThrow(
      'client went away',
    );
    expect(await driver.stat('broken/x')).toBeUndefined();
    const listed = [];
    for await (const object of driver.list('')) listed.push(object.key);
    expect(listed.filter((k) => k.startsWith('broken'))).toEqual([]);
    if (subject.root) expect((await filesUnder(subject.root)).filter((f) => f.includes('~'))).toEqual([]);
  });

  it('lists by prefix', async () => {
    for (const key of ['ls/b', 'ls/a.c', 'ls/a/b', 'ls/a/a', 'lsx/z', 'other/q']) {
      await driver.put(key, body(key), { contentType: 'text/plain' });
    }
    const keys = async (prefix: string) => {
      const found: string[] = [];
      for await (const object of driver.list(prefix)) found.push(object.key);
      // Stores differ in order (s3rver walks directories); the set is the contract.
      return found.sort();
    };
    expect(await keys('ls/')).toEqual(['ls/a.c', 'ls/a/a', 'ls/a/b', 'ls/b']);
    expect(await keys('ls/a')).toEqual(['ls/a.c', 'ls/a/a', 'ls/a/b']);
    expect(await keys('ls')).toEqual(['ls/a.c', 'ls/a/a', 'ls/a/b', 'ls/b', 'lsx/z']);
    expect(await keys('nothing/')).toEqual([]);
  });

  it('signs a download URL that works, then expires', async () => {
    await driver.put('signed/f.txt', body('secret'), { contentType: 'text/plain' });
    const url = await driver.signedUrl('signed/f.txt', {
      expiresInSeconds: 1,
      contentType: 'text/plain',
      fileName: 'f.txt',
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('secret');
    await sleep(2100);
    expect((await fetch(url)).status).toBeGreaterThanOrEqual(400);
  });

  it('refuses keys that are not plain paths', async () => {
    for (const key of ['', '../x', 'a/../../x', '/abs', 'a//b', 'a/./b', 'a\\b', 'a/..', 'ä', 'a b']) {
      await expect(driver.put(key, body('x'), { contentType: 'text/plain' })).rejects.toMatchObject({
        code: 'storage.invalid_key',
      });
      await expect(driver.stat(key)).rejects.toMatchObject({ code: 'storage.invalid_key' });
    }
  });

  it('answers a key that is a folder of another (on disk) with a clear conflict, freed once that one goes', async () => {
    await driver.put('nest/inner', body('inner'), { contentType: 'text/plain' });
    if (subject.root) {
      // A file system cannot hold `nest` as a file and a folder at once; S3 can.
      await expect(driver.put('nest', body('outer'), { contentType: 'text/plain' })).rejects.toMatchObject({
        code: 'storage.key_conflict',
        status: 409,
      });
      await expect(
        driver.put('nest/inner/deeper', body('x'), { contentType: 'text/plain' }),
      ).rejects.toMatchObject({
        code: 'storage.key_conflict',
      });
      await driver.delete('nest/inner');
    }
    await driver.put('nest', body('outer'), { contentType: 'text/plain' });
    expect(await driver.stat('nest')).toMatchObject({ key: 'nest', size: 5 });
    await driver.delete('nest');
    await driver.delete('nest/inner');
    expect(await driver.stat('nest')).toBeUndefined();
  });

  it('never writes outside its root, whatever the key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom('..', '.', '', '/', '\\', '%2e%2e', '~incoming', 'a', '..\\..', '\0'),
            fc.string({ maxLength: 8 }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (parts) => {
          const key = parts.join('/');
          const stored = await driver
            .put(key, body('p'), { contentType: 'text/plain' })
            .then(() => true)
            .catch((err: { code?: string }) => {
              expect(err.code).toBe('storage.invalid_key');
              return false;
            });
          if (stored) {
            expect(await driver.stat(key)).toMatchObject({ key });
            await driver.delete(key);
          }
        },
      ),
      { numRuns: 150 },
    );
    // Nothing was ever written beside the driver's own directory.
    if (subject.root) {
      expect((await filesUnder(subject.root)).filter((f) => !f.startsWith(`files${path.sep}`))).toEqual([]);
    }
  });
});
