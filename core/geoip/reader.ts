import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Reader, type CityResponse } from 'maxmind';
import { isPublicAddress, plainAddress } from './addresses.js';

export { isPublicAddress, plainAddress } from './addresses.js';

/** What the audit log stores about where an address is (AuditEvent GeoIP columns). */
export interface GeoLocation {
  /** ISO 3166-1 alpha-2. */
  country_code: string;
  country_name: string | null;
  city: string | null;
  /** The first (largest) subdivision: a state, county or region. */
  region: string | null;
}

export interface GeoIp {
  /** False while no database is loaded (none configured, or the file is missing or broken). */
  readonly enabled: boolean;
  /** The database's build time, for status pages and logs. */
  readonly builtAt: Date | null;
  /** Null for private, loopback, malformed and unknown addresses, and while disabled. */
  lookup(ip: string): GeoLocation | null;
  /** Checks the file now and loads it if it changed; true when a new database was loaded. */
  reload(): Promise<boolean>;
  close(): void;
}

export interface GeoIpOptions {
  /** Path of a GeoLite2-City or GeoIP2-City `.mmdb` file; undefined turns enrichment off. */
  database: string | undefined;
  /** How often to look for a replaced file (ms). */
  checkIntervalMs: number;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  };
}

/** Lookups are cached by address, so a busy user or bot costs one tree walk; the cache empties when full. */
const CACHE_MAX = 10_000;

const fileVersion = (s: Stats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;

function toLocation(record: CityResponse | null): GeoLocation | null {
  const code = record?.country?.iso_code ?? record?.registered_country?.iso_code;
  if (!record || !code) return null;
  const country = record.country ?? record.registered_country;
  return {
    country_code: code,
    country_name: country?.names?.en ?? null,
    city: record.city?.names?.en ?? null,
    region: record.subdivisions?.[0]?.names?.en ?? null,
  };
}

function openReader(buffer: Buffer): Reader<CityResponse> {
  const reader = new Reader<CityResponse>(buffer);
  // A Country database would load but never name a city; ASN and others have no country at all.
  if (!/City|Country/.test(reader.metadata.databaseType)) {
    throw new Error(`expected a GeoLite2-City or GeoIP2-City database, got ${reader.metadata.databaseType}`);
  }
  return reader;
}

/**
 * GeoIP lookups from a MaxMind database (core/geoip). The file is read once at start and again whenever it is
 * replaced on disk (geoipupdate writes a new file and renames it over the old one); a replacement that does
 * not load keeps the previous database in service. Without a configured file enrichment is off, said once.
 */
export function createGeoIp(options: GeoIpOptions): GeoIp {
  const { database: path, log } = options;
  let reader: Reader<CityResponse> | null = null;
  let version: string | null = null;
  let cache = new Map<string, GeoLocation | null>();
  let timer: NodeJS.Timeout | undefined;
  let reloading: Promise<boolean> | undefined;
  let missingReported = false;

  const use = (next: Reader<CityResponse>, nextVersion: string) => {
    reader = next;
    version = nextVersion;
    cache = new Map();
    log.info(
      { database: path, type: next.metadata.databaseType, builtAt: next.metadata.buildEpoch },
      'GeoIP database loaded',
    );
  };

  if (!path) {
    log.info({}, 'GeoIP enrichment is off: set geoip.database to a GeoLite2-City .mmdb file to enable it');
  } else {
    try {
      const s = statSync(path);
      use(openReader(readFileSync(path)), fileVersion(s));
    } catch (err) {
      missingReported = true;
      log.warn(
        { database: path, err: String(err) },
        'GeoIP database cannot be loaded; enrichment is off until the file appears',
      );
    }
  }

  async function checkFile(): Promise<boolean> {
    if (!path) return false;
    let s: Stats;
    try {
      s = await stat(path);
    } catch (err) {
      if (!missingReported) log.warn({ database: path, err: String(err) }, 'GeoIP database file is gone');
      missingReported = true;
      return false;
    }
    if (fileVersion(s) === version) return false;
    try {
      use(openReader(await readFile(path)), fileVersion(s));
      missingReported = false;
      return true;
    } catch (err) {
      // Possibly a half-written file: try again next time, keep serving the database we have.
      log.warn(
        { database: path, err: String(err) },
        'GeoIP database changed but does not load; keeping the old one',
      );
      return false;
    }
  }

  const reload = () => (reloading ??= checkFile().finally(() => (reloading = undefined)));

  if (path && options.checkIntervalMs > 0) {
    timer = setInterval(() => void reload(), options.checkIntervalMs);
    timer.unref();
  }

  return {
    get enabled() {
      return reader !== null;
    },
    get builtAt() {
      return reader ? reader.metadata.buildEpoch : null;
    },
    lookup(ip) {
      if (!reader) return null;
      const address = plainAddress(ip);
      const cached = cache.get(address);
      if (cached !== undefined) return cached;
      let location: GeoLocation | null = null;
      if (isPublicAddress(address)) {
        try {
          location = toLocation(reader.get(address));
        } catch {
          location = null;
        }
      }
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(address, location);
      return location;
    },
    reload,
    close() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
