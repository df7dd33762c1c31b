import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { generated, upload } from '../support/storage.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX = 1024 * 1024;

/** /v1/storage on the fs driver: uploads, downloads through signed URLs, rules per action, limits, audit. */
describe('/v1/storage', () => {
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    HEIMDALL__STORAGE__MAX_FILE_BYTES: String(MAX),
  });
  let modId: string;
  let mod: string;
  let otherMod: string;
  let member: string;
  let memberId: string;
  let readOnly: string;

  beforeAll(async () => {
    modId = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
    mod = (await createKey(t.db, { userId: modId, roleIds: ['role_api_full_access'] })).key;
    const otherId = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
    otherMod = (await createKey(t.db, { userId: otherId, roleIds: ['role_api_full_access'] })).key;
    memberId = await createUser(t.db, { roleIds: ['role_user'] });
    member = (await createKey(t.db, { userId: memberId, roleIds: ['role_api_full_access'] })).key;
    readOnly = (await createKey(t.db, { roleIds: ['role_api_read_only'], isSystem: true })).key;
  });

  const objects = async () => {
    const keys: string[] = [];
    for await (const object of t.platform.services.storageDriver.list('files/')) keys.push(object.key);
    return keys;
  };
  const downloadPath = (url: string) => new URL(url).pathname;
  const eventsOf = async (id: string) => {
    await t.platform.services.audit.flush();
    return t.platform.databases.audit('AuditEvent').where({ resource_id: id }).orderBy('created_at');
  };

  it('uploads, lists, describes, downloads, renames and deletes a file, recording each change', async () => {
    const contents = Buffer.from('name,score\nada,3\n');
    const created = await upload(t.url, mod, 'scores 2026.csv', contents, 'text/csv; charset=utf-8');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      owner_id: modId,
      name: 'scores 2026.csv',
      content_type: 'text/csv',
      size: contents.length,
      sha256: createHash('sha256').update(contents).digest('hex'),
    });
    const id = created.body.id as string;

    const list = await call(t.url, 'GET', '/v1/storage/files', { key: mod });
    expect(list.body.data.map((f: { id: string }) => f.id)).toContain(id);
    expect((await call(t.url, 'GET', `/v1/storage/files/${id}`, { key: mod })).body).toEqual(created.body);

    const link = await call(t.url, 'GET', `/v1/storage/files/${id}/download-url`, { key: mod });
    expect(link.status).toBe(200);
    expect(new Date(link.body.expires_at).getTime()).toBeGreaterThan(Date.now());
    const download = await fetch(`${t.url}${downloadPath(link.body.url)}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/csv');
    expect(download.headers.get('content-disposition')).toContain(`filename*=UTF-8''scores%202026.csv`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(contents);

    const renamed = await call(t.url, 'PATCH', `/v1/storage/files/${id}`, {
      key: mod,
      body: { name: 'scores.csv' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('scores.csv');

    expect((await call(t.url, 'DELETE', `/v1/storage/files/${id}`, { key: mod })).status).toBe(204);
    expect((await call(t.url, 'GET', `/v1/storage/files/${id}`, { key: mod })).status).toBe(404);
    // The signed URL of a deleted file finds nothing.
    expect((await fetch(`${t.url}${downloadPath(link.body.url)}`)).status).toBe(404);
    expect(await objects()).not.toContain(`files/${id}`);

    const events = await eventsOf(id);
    expect(events.map((e) => e.event_type)).toEqual(['file_uploaded', 'file_updated', 'file_deleted']);
    expect(events[0]).toMatchObject({
      actor_id: modId,
      user_id: modId,
      resource_type: 'file',
      metadata: expect.objectContaining({ name: 'scores 2026.csv', size: contents.length }),
    });
    expect(events[1].metadata).toMatchObject({ name: 'scores.csv', previous_name: 'scores 2026.csv' });
  });

  it('lets owners act on their own files and others only with the permission for the action', async () => {
    const { body: file } = await upload(t.url, mod, 'mine.txt', Buffer.from('x'), 'text/plain');
    // A member without storage:write cannot upload.
    const refused = await upload(t.url, member, 'no.txt', Buffer.from('x'), 'text/plain');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('auth.forbidden');
    // Someone without storage:read does not see the file at all, and lists only their own (none).
    expect((await call(t.url, 'GET', `/v1/storage/files/${file.id}`, { key: member })).status).toBe(404);
    expect((await call(t.url, 'GET', '/v1/storage/files', { key: member })).body.data).toEqual([]);
    expect((await call(t.url, 'GET', `/v1/storage/files?owner_id=${modId}`, { key: member })).status).toBe(
      403,
    );
    expect((await call(t.url, 'DELETE', `/v1/storage/files/${file.id}`, { key: member })).status).toBe(404);
    // A read-only key sees everything and may download, but neither rename nor delete.
    const all = await call(t.url, 'GET', `/v1/storage/files?owner_id=${modId}`, { key: readOnly });
    expect(all.body.data.map((f: { id: string }) => f.id)).toContain(file.id);
    expect(
      (await call(t.url, 'GET', `/v1/storage/files/${file.id}/download-url`, { key: readOnly })).status,
    ).toBe(200);
    const rename = await call(t.url, 'PATCH', `/v1/storage/files/${file.id}`, {
      key: readOnly,
      body: { name: 'x' },
    });
    expect([rename.status, rename.body.error.code]).toEqual([403, 'auth.forbidden']);
    expect((await call(t.url, 'DELETE', `/v1/storage/files/${file.id}`, { key: readOnly })).status).toBe(403);
    // Another moderator holds storage:edit and storage:delete.
    expect(
      (await call(t.url, 'PATCH', `/v1/storage/files/${file.id}`, { key: otherMod, body: { name: 'y' } }))
        .status,
    ).toBe(200);
    expect((await call(t.url, 'DELETE', `/v1/storage/files/${file.id}`, { key: otherMod })).status).toBe(204);
    // Names are names, never paths.
    for (const name of ['../etc/passwd', 'a/b', '..', 'a\nb', '']) {
      const bad = await upload(t.url, mod, name, Buffer.from('x'), 'text/plain');
      expect([name, bad.status]).toEqual([name, 400]);
    }
  });

  it('refuses a file over the limit while it streams in, and keeps nothing of it', async () => {
    const [before] = await t.db('StoredFile').count<{ count: string }[]>({ count: '*' });
    const objectsBefore = await objects();
    // Declared too large: refused before anything is read.
    const declared = await upload(t.url, mod, 'big.bin', Buffer.alloc(MAX + 1), 'application/octet-stream');
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatchObject({ code: 'storage.too_large', details: { max_bytes: MAX } });
    expect(declared.body.error.message).toContain(`${MAX} bytes`);
    // Undeclared (chunked): refused once the limit is passed.
    const streamed = await upload(t.url, mod, 'big.bin', generated(3 * MAX), 'application/octet-stream');
    expect(streamed.status).toBe(413);
    expect(streamed.body.error.code).toBe('storage.too_large');
    // Exactly the limit is fine.
    const exact = await upload(t.url, mod, 'exact.bin', generated(MAX), 'application/octet-stream');
    expect(exact.status).toBe(201);
    const [after] = await t.db('StoredFile').count<{ count: string }[]>({ count: '*' });
    expect(Number(after!.count)).toBe(Number(before!.count) + 1);
    expect((await objects()).sort()).toEqual([...objectsBefore, `files/${exact.body.id}`].sort());
  });

  it('refuses media types that are not allowed', async () => {
    for (const type of ['image/svg+xml', 'text/html', 'nonsense', undefined]) {
      const res = await upload(t.url, mod, 'page', Buffer.from('<svg/>'), type);
      expect([type, res.status, res.body.error.code]).toEqual([type, 415, 'storage.unsupported_type']);
    }
    // A JSON file is a file: its body is stored as sent, never parsed.
    const json = await upload(t.url, mod, 'data.json', Buffer.from('{"not": "parsed"'), 'application/json');
    expect(json.status).toBe(201);
  });

  it('signed URLs expire, and a forged one is refused', async () => {
    const { body: file } = await upload(t.url, mod, 'soon.txt', Buffer.from('soon'), 'text/plain');
    const link = await call(t.url, 'GET', `/v1/storage/files/${file.id}/download-url?expires_in=1`, {
      key: mod,
    });
    const path = downloadPath(link.body.url);
    expect((await fetch(`${t.url}${path}`)).status).toBe(200);
    await sleep(1200);
    const expired = await fetch(`${t.url}${path}`);
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('storage.url_expired');

    const token = path.split('/').pop()!;
    const [payload, signature] = token.split('.') as [string, string];
    const grant = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...grant, e: Date.now() + 60_000 })).toString('base64url');
    const res = await fetch(`${t.url}/v1/storage/download/${forged}.${signature}`);
    expect(res.status).toBe(403);
    // Asking for longer than the configured maximum gets the maximum.
    const long = await call(t.url, 'GET', `/v1/storage/files/${file.id}/download-url?expires_in=999999`, {
      key: mod,
    });
    expect(new Date(long.body.expires_at).getTime()).toBeLessThanOrEqual(Date.now() + 300_000);
  });
});
