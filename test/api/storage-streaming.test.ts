import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { generated, sha256Of } from '../support/storage.js';

const SIZE = 200 * 1024 * 1024;
// Three quarters of the file: a transfer holding the file would grow by all of it. Not lower, because V8 collects
// socket buffers (external memory) only after some 64 MB of them, and resident memory in a healthy run has risen
// past 100 MB on a busy machine before that collection came.
const MAX_GROWTH = (SIZE * 3) / 4;

/** Samples the process's resident memory while `work` runs; answers the largest growth over the start. */
async function peakGrowth(work: () => Promise<void>): Promise<number> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - start;
}

/**
 * A 200 MB file up and down through the platform (same process, fs driver): memory stays flat, since the body
 * is generated as it is sent, the server streams it to disk and back, and the client hashes it as it arrives.
 */
describe('/v1/storage streaming', () => {
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    HEIMDALL__STORAGE__MAX_FILE_BYTES: String(SIZE),
  });

  it('moves 200 MB up and down without holding it in memory', async () => {
    const userId = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
    const { key } = await createKey(t.db, { userId, roleIds: ['role_api_full_access'] });
    const expected = await sha256Of(generated(SIZE));

    let id = '';
    const up = await peakGrowth(async () => {
      const url = new URL(`${t.url}/v1/storage/files?name=big.bin`);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          url,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        pipeline(generated(SIZE), req).catch(reject);
      });
      expect(answer.status).toBe(201);
      const file = JSON.parse(answer.body);
      expect(file).toMatchObject({ size: SIZE, sha256: expected.sha256 });
      id = file.id;
    });

    const link = await call(t.url, 'GET', `/v1/storage/files/${id}/download-url`, { key });
    let received = { size: 0, sha256: '' };
    const down = await peakGrowth(async () => {
      const res = await fetch(`${t.url}${new URL(link.body.url).pathname}`);
      expect(res.headers.get('content-length')).toBe(String(SIZE));
      received = await sha256Of(res.body!);
    });
    expect(received).toEqual(expected);
    expect(up).toBeLessThan(MAX_GROWTH);
    expect(down).toBeLessThan(MAX_GROWTH);
  }, 180_000);
});
