/* eslint-disable @typescript-eslint/no-explicit-any -- test responses are asserted field by field */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** Uploads `body` to /v1/storage/files as `name` with the given Content-Type (none: no header at all). */
export async function upload(
  baseUrl: string,
  key: string,
  name: string,
  body: Buffer | Readable,
  contentType?: string,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (contentType) headers['content-type'] = contentType;
  const streamed = body instanceof Readable;
  const res = await fetch(`${baseUrl}/v1/storage/files?${new URLSearchParams({ name })}`, {
    method: 'POST',
    headers,
    body: streamed ? (Readable.toWeb(body) as ReadableStream) : new Uint8Array(body),
    ...(streamed ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** `total` bytes of a repeating pattern in 64 KiB chunks, made as they are read: never the whole in memory. */
export function generated(total: number, chunkSize = 64 * 1024): Readable {
  const chunk = Buffer.alloc(chunkSize);
  for (let i = 0; i < chunkSize; i++) chunk[i] = (i * 31) % 251;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkSize, total - sent);
      sent += size;
      this.push(size === chunkSize ? chunk : chunk.subarray(0, size));
    },
  });
}

/** The SHA-256 `generated(total)` has, computed the same streaming way. */
export async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    hash.update(chunk);
  }
  return { size, sha256: hash.digest('hex') };
}
