import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { failureOf } from '../../../test/support/fake-providers/sign-in.js';
import { UPSTREAM_TIMEOUT_MS, createUpstreamHttp } from './upstream-http.js';

const URL_WITH_SECRET = 'https://api.example/ISteamUser/GetPlayerSummaries/v0002/?key=WEB-API-KEY&steamids=1';

/** An UpstreamHttp whose fetch answers with `answer`, remembering what it was asked. */
function httpAnswering(answer: () => Promise<Response>) {
  const calls: RequestInit[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
    calls.push(init ?? {});
    return answer();
  };
  return { http: createUpstreamHttp('steam', { fetch }), calls };
}

describe('createUpstreamHttp', () => {
  it('gives every call a deadline and follows no redirect', async () => {
    const { http, calls } = httpAnswering(async () => new Response('{}'));
    await http.send(URL_WITH_SECRET, { signal: null });
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]?.signal?.aborted).toBe(false);
    expect(calls[0]?.redirect).toBe('manual');
    expect(UPSTREAM_TIMEOUT_MS).toBe(10_000);
  });

  it.each([
    [
      'a deadline that ran out',
      () => Promise.reject(new DOMException('timed out', 'TimeoutError')),
      /in time/,
    ],
    [
      'a refused connection',
      () =>
        Promise.reject(
          new TypeError('fetch failed', {
            cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
          }),
        ),
      /ECONNREFUSED/,
    ],
    ['HTTP 503', async () => new Response('down', { status: 503 }), /HTTP 503/],
    ['HTTP 429', async () => new Response('slow down', { status: 429 }), /HTTP 429/],
  ])('reports %s as unavailable', async (_what, answer, message) => {
    const err = await failureOf(httpAnswering(answer).http.send(URL_WITH_SECRET));
    expect(err).toMatchObject({ reason: 'unavailable', message: expect.stringMatching(message) });
  });

  it.each([
    ['HTTP 404', () => new Response('{}', { status: 404 }), /HTTP 404/],
    ['something other than JSON', () => new Response('<html>'), /other than JSON/],
    ['JSON of another shape', () => new Response('{"players":"none"}'), /players: /],
  ])('reports %s as invalid_response', async (_what, answer, message) => {
    const { http } = httpAnswering(async () => answer());
    const err = await failureOf(http.json(URL_WITH_SECRET, {}, z.object({ players: z.array(z.string()) })));
    expect(err).toMatchObject({ reason: 'invalid_response', message: expect.stringMatching(message) });
  });

  it('says what it was told to when the provider refuses', async () => {
    const { http } = httpAnswering(async () => new Response('{"error":"nope"}', { status: 400 }));
    expect((await failureOf(http.json(URL_WITH_SECRET, {}, z.object({}), 'invalid_grant'))).reason).toBe(
      'invalid_grant',
    );
    expect((await failureOf(http.ok(URL_WITH_SECRET, {}))).reason).toBe('invalid_response');
  });

  it('names the path, never the query, and keeps no cause', async () => {
    const { http } = httpAnswering(async () => new Response('{}', { status: 503 }));
    const err = await failureOf(http.send(URL_WITH_SECRET));
    expect(err.message).toContain('/ISteamUser/GetPlayerSummaries/v0002/');
    expect(err.message).not.toContain('WEB-API-KEY');
    expect(err.cause).toBeUndefined();
  });
});
