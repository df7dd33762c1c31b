import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createFindAccount } from '../../oidc/find-account.js';
import { AVATAR_MAX_BYTES, isAvatarImage } from '../../core/users/avatar.js';
import {
  call,
  createKey,
  createLinkedAccount,
  createUser,
  ONE_PIXEL_PNG,
  pngBody,
} from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9,
]);
const image = (bytes: Buffer, type: string) => new Blob([new Uint8Array(bytes)], { type });

/** PUT/DELETE /v1/user/avatar and GET /v1/users/:id/avatar: storage, limits, the `picture` claim, privacy. */
describe('avatars', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let userId: string;
  let key: string;
  let systemKey: string;

  beforeAll(async () => {
    userId = await createUser(t.db, { roleIds: ['role_user'] });
    await createLinkedAccount(t.db, userId, { platform: 'email', primary: true });
    await t
      .db('PlatformAccount')
      .where({ user_id: userId })
      .update({ avatar_url: 'https://cdn.example/p.png' });
    key = (await createKey(t.db, { userId, roleIds: ['role_api_full_access'] })).key;
    systemKey = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
  });

  const put = (body: Blob, k: string | undefined = key) =>
    call(t.url, 'PUT', '/v1/user/avatar', { key: k, body });
  const picture = async () => {
    const account = await createFindAccount(t.db)(undefined as never, userId);
    return ((await account!.claims('id_token', 'openid profile', {}, [])) as { picture?: string }).picture;
  };
  const fetchImage = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url.replace(/^https?:\/\/[^/]+/, t.url), { headers });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const storedFiles = () => t.db('StoredFile').where({ owner_user_id: userId });

  it('stores an uploaded PNG, serves it with caching headers and names it in the picture claim', async () => {
    expect(await picture()).toBe('https://cdn.example/p.png');
    const res = await put(pngBody());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ content_type: 'image/png', size: ONE_PIXEL_PNG.length });
    const url = res.body.url as string;
    expect(new URL(url).pathname).toBe(`/v1/users/${userId}/avatar`);
    expect(await picture()).toBe(url);

    const { res: got, bytes } = await fetchImage(url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(bytes.equals(ONE_PIXEL_PNG)).toBe(true);
    const etag = got.headers.get('etag')!;
    expect((await fetchImage(url, { 'if-none-match': etag })).res.status).toBe(304);
    expect(await storedFiles()).toHaveLength(1);
  });

  it('replaces the picture with a new URL and removes the old file', async () => {
    const before = (await t.db('UserAvatar').where({ user_id: userId }).first()) as {
      url: string;
      file_id: string;
    };
    const res = await put(image(JPEG, 'image/jpeg'));
    expect(res.status).toBe(200);
    expect(res.body.url).not.toBe(before.url);
    const { res: got, bytes } = await fetchImage(res.body.url);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(bytes.equals(JPEG)).toBe(true);
    const files = await storedFiles();
    expect(files.map((f: { id: string }) => f.id)).not.toContain(before.file_id);
    expect(files).toHaveLength(1);
  });

  it('keeps exactly one file when two uploads race', async () => {
    const [a, b] = await Promise.all([put(pngBody()), put(image(JPEG, 'image/jpeg'))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const files = await storedFiles();
    expect(files).toHaveLength(1);
    const avatar = (await t.db('UserAvatar').where({ user_id: userId }).first()) as { file_id: string };
    expect(files[0].id).toBe(avatar.file_id);
  });

  it('hides the picture of a person in privacy mode from other viewers', async () => {
    const { url } = (await t.db('UserAvatar').where({ user_id: userId }).first()) as { url: string };
    await t.db('User').where({ id: userId }).update({ privacy_mode: true });
    try {
      expect((await fetchImage(url)).res.status).toBe(404);
      const own = await fetchImage(url, { authorization: `Bearer ${key}` });
      expect(own.res.status).toBe(200);
      expect(own.res.headers.get('cache-control')).toBe('private, max-age=300');
    } finally {
      await t.db('User').where({ id: userId }).update({ privacy_mode: false });
    }
  });

  it('deletes the picture and its file; the account picture shows again', async () => {
    const { url } = (await t.db('UserAvatar').where({ user_id: userId }).first()) as { url: string };
    expect((await call(t.url, 'DELETE', '/v1/user/avatar', { key })).status).toBe(204);
    expect(await storedFiles()).toHaveLength(0);
    expect(await picture()).toBe('https://cdn.example/p.png');
    expect((await fetchImage(url)).res.status).toBe(404);
    const again = await call(t.url, 'DELETE', '/v1/user/avatar', { key });
    expect([again.status, again.body.error.code]).toEqual([404, 'users.avatar_not_found']);
  });

  it('refuses too large, mistyped and unsigned uploads, and callers who are not a person', async () => {
    const large = Buffer.concat([ONE_PIXEL_PNG, Buffer.alloc(AVATAR_MAX_BYTES)]);
    const tooLarge = await put(pngBody(large));
    expect([tooLarge.status, tooLarge.body.error.code]).toEqual([413, 'storage.too_large']);
    const gif = await put(image(Buffer.from('GIF89a'), 'image/gif'));
    expect([gif.status, gif.body.error.code]).toEqual([415, 'storage.unsupported_type']);
    const liar = await put(image(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png'));
    expect([liar.status, liar.body.error.code]).toEqual([415, 'storage.unsupported_type']);
    const mismatched = await put(image(ONE_PIXEL_PNG, 'image/jpeg'));
    expect(mismatched.status).toBe(415);
    expect((await call(t.url, 'PUT', '/v1/user/avatar', { body: pngBody() })).status).toBe(401);
    const system = await put(pngBody(), systemKey);
    expect([system.status, system.body.error.code]).toEqual([403, 'auth.user_required']);
    expect(await t.db('UserAvatar').where({ user_id: userId })).toHaveLength(0);
    expect(await storedFiles()).toHaveLength(0);
  });

  it('refuses random bytes unless they start with the declared type’s magic bytes', async () => {
    const types = ['image/png', 'image/jpeg', 'image/webp'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...types),
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        async (type, random) => {
          const bytes = Buffer.from(random);
          const res = await put(image(bytes, type));
          if (isAvatarImage(type, bytes.subarray(0, 12))) expect(res.status).toBe(200);
          else expect([res.status, res.body.error.code]).toEqual([415, 'storage.unsupported_type']);
        },
      ),
      { numRuns: 40 },
    );
    // Valid headers followed by random bytes are taken (the type, not the whole image, is checked).
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (tail) => {
        const res = await put(pngBody(Buffer.concat([ONE_PIXEL_PNG.subarray(0, 8), tail])));
        expect(res.status).toBe(200);
      }),
      { numRuns: 10 },
    );
  });
});
