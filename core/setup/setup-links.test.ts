import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createCache } from '../cache/create.js';
import { createSetupLinks, setupAnnouncer } from './setup-links.js';

describe('setup links', () => {
  const cache = () => createCache({ url: undefined, keyPrefix: 'test:' });

  it('works until used, once', async () => {
    const links = createSetupLinks(cache());
    const { token, expiresAt } = await links.issue();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(14 * 60 * 1000);
    expect(await links.valid(token)).toBe(true);
    const [first, second] = await Promise.all([links.consume(token), links.consume(token)]);
    expect([first, second].sort()).toEqual([false, true]);
    expect(await links.valid(token)).toBe(false);
  });

  it('expires', async () => {
    const links = createSetupLinks(cache(), 20);
    const { token } = await links.issue();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await links.valid(token)).toBe(false);
    expect(await links.consume(token)).toBe(false);
  });

  it('keeps only a hash: the stored key does not contain the token', async () => {
    const store = cache();
    const { token } = await createSetupLinks(store).issue();
    expect(await store.get(`setup:first-admin:${token}`)).toBeUndefined();
  });

  it('accepts no other string', async () => {
    const links = createSetupLinks(cache());
    const { token } = await links.issue();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (guess) => {
        fc.pre(guess !== token);
        expect(await links.valid(guess)).toBe(false);
        expect(await links.consume(guess)).toBe(false);
      }),
    );
    expect(await links.valid(token)).toBe(true);
  });

  it('announces a new link only once the last one has expired', async () => {
    const printed: string[] = [];
    const announce = setupAnnouncer(createSetupLinks(cache(), 30), 'https://id.example/', (url) =>
      printed.push(url),
    );
    await announce();
    await announce();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^https:\/\/id\.example\/setup\/[A-Za-z0-9_-]{43}$/);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await announce();
    expect(printed).toHaveLength(2);
    expect(printed[1]).not.toBe(printed[0]);
  });

  it('prints one link for visits at the same moment', async () => {
    const printed: string[] = [];
    const announce = setupAnnouncer(createSetupLinks(cache()), 'https://id.example', (url) =>
      printed.push(url),
    );
    await Promise.all([announce(), announce(), announce()]);
    expect(printed).toHaveLength(1);
  });
});
