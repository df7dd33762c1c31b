import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createGeoIp, isPublicAddress, type GeoIp } from './reader.js';

const FIXTURES = path.resolve('test/fixtures/geoip');
const CITY = path.join(FIXTURES, 'GeoLite2-City-Test.mmdb');
const UPDATE = path.join(FIXTURES, 'GeoLite2-City-Test-Update.mmdb');

function recordingLog() {
  const lines: { level: string; msg: string }[] = [];
  return {
    lines,
    info: (_: object, msg: string) => void lines.push({ level: 'info', msg }),
    warn: (_: object, msg: string) => void lines.push({ level: 'warn', msg }),
  };
}

const opened: GeoIp[] = [];
function open(database: string | undefined, log = recordingLog()): GeoIp {
  const geoip = createGeoIp({ database, checkIntervalMs: 0, log });
  opened.push(geoip);
  return geoip;
}
afterEach(() => {
  for (const g of opened.splice(0)) g.close();
});

describe('isPublicAddress', () => {
  it.each([
    ['81.2.69.142', true],
    ['2a02:8109:9b00::1', true],
    ['::ffff:81.2.69.142', true],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.10', false],
    ['127.0.0.1', false],
    ['100.64.0.1', false],
    ['169.254.1.1', false],
    ['203.0.113.9', false],
    ['::1', false],
    ['::', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['ff02::1', false],
    ['2001:db8::1', false],
    ['::ffff:192.168.0.1', false],
    ['not an ip', false],
    ['', false],
  ])('%s → %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });
});

describe('GeoIP lookups on the GeoLite2-City fixture', () => {
  it('places an IPv4 address: country, city and region', () => {
    expect(open(CITY).lookup('81.2.69.142')).toEqual({
      country_code: 'GB',
      country_name: 'United Kingdom',
      city: 'London',
      region: 'England',
    });
    expect(open(CITY).lookup('89.160.20.115')).toEqual({
      country_code: 'SE',
      country_name: 'Sweden',
      city: 'Linköping',
      region: 'Östergötland County',
    });
  });

  it('places IPv6 addresses, including country-only networks, and IPv4-mapped IPv6', () => {
    const geoip = open(CITY);
    expect(geoip.lookup('2a02:8109:9b12:ab::7')).toEqual({
      country_code: 'DE',
      country_name: 'Germany',
      city: 'Berlin',
      region: 'Land Berlin',
    });
    expect(geoip.lookup('2001:218:1234::1')).toEqual({
      country_code: 'JP',
      country_name: 'Japan',
      city: null,
      region: null,
    });
    expect(geoip.lookup('::ffff:216.160.83.58')).toMatchObject({ country_code: 'US', city: 'Milton' });
  });

  it('gives nothing for private, loopback, unknown and malformed addresses', () => {
    const geoip = open(CITY);
    for (const ip of [
      '10.0.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '::1',
      'fd00::1',
      '8.8.8.8',
      '2606:4700::1',
      'nope',
    ])
      expect(geoip.lookup(ip)).toBeNull();
  });

  it('answers the same from its cache', () => {
    const geoip = open(CITY);
    const first = geoip.lookup('81.2.69.142');
    expect(geoip.lookup('81.2.69.142')).toBe(first);
  });
});

describe('GeoIP configuration and reload', () => {
  it('is off without a database, and says so once at start', () => {
    const log = recordingLog();
    const geoip = open(undefined, log);
    expect(geoip.enabled).toBe(false);
    expect(geoip.lookup('81.2.69.142')).toBeNull();
    geoip.lookup('89.160.20.115');
    expect(log.lines).toEqual([{ level: 'info', msg: expect.stringContaining('GeoIP enrichment is off') }]);
  });

  it('loads a configured file that appears after start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-geoip-'));
    try {
      const file = path.join(dir, 'GeoLite2-City.mmdb');
      const log = recordingLog();
      const geoip = open(file, log);
      expect(geoip.enabled).toBe(false);
      expect(log.lines[0]).toMatchObject({ level: 'warn' });
      copyFileSync(CITY, file);
      expect(await geoip.reload()).toBe(true);
      expect(geoip.enabled).toBe(true);
      expect(geoip.lookup('81.2.69.142')?.city).toBe('London');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reloads when the file is replaced, and keeps the old database when the new one is broken', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-geoip-'));
    try {
      const file = path.join(dir, 'GeoLite2-City.mmdb');
      copyFileSync(CITY, file);
      const geoip = open(file);
      expect(geoip.lookup('81.2.69.142')?.city).toBe('London');
      expect(await geoip.reload()).toBe(false); // unchanged

      // A half-downloaded file: refused, the old database stays in service.
      writeFileSync(file, Buffer.from('not a maxmind database'));
      expect(await geoip.reload()).toBe(false);
      expect(geoip.lookup('81.2.69.142')?.city).toBe('London');

      // What geoipupdate does: write the new edition beside it and rename it over the old one.
      copyFileSync(UPDATE, `${file}.tmp`);
      renameSync(`${file}.tmp`, file);
      expect(await geoip.reload()).toBe(true);
      expect(geoip.lookup('81.2.69.142')?.city).toBe('Manchester');
      expect(geoip.lookup('89.160.20.115')?.city).toBe('Linköping');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('notices a replaced file on its own when a check interval is set', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-geoip-'));
    const file = path.join(dir, 'GeoLite2-City.mmdb');
    copyFileSync(CITY, file);
    const geoip = createGeoIp({ database: file, checkIntervalMs: 20, log: recordingLog() });
    try {
      copyFileSync(UPDATE, `${file}.tmp`);
      renameSync(`${file}.tmp`, file);
      const deadline = Date.now() + 5000;
      while (geoip.lookup('81.2.69.142')?.city !== 'Manchester' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(geoip.lookup('81.2.69.142')?.city).toBe('Manchester');
    } finally {
      geoip.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays off when the configured file is not a MaxMind database', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-geoip-'));
    try {
      const file = path.join(dir, 'broken.mmdb');
      writeFileSync(file, 'garbage');
      const log = recordingLog();
      expect(open(file, log).enabled).toBe(false);
      expect(log.lines).toEqual([{ level: 'warn', msg: expect.stringContaining('cannot be loaded') }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
