/**
 * Where a deployment's pub/sub messages go on a Redis server. Redis keeps keys apart per database, but pub/sub
 * channels are server-wide: a channel named only by the key prefix would be heard by every deployment on the
 * server that uses the same prefix, whatever its database. So every channel is named
 * `<key_prefix>|<database>|<channel>`, and the rule below makes that name unambiguous: the prefix may not hold
 * the separator, and the database is read from one place (the URL's path), so two different (prefix, database)
 * settings never name the same channels.
 */
export const NAMESPACE_SEPARATOR = '|';

/** Why a key prefix cannot name a namespace, or undefined when it can. */
export function keyPrefixProblem(keyPrefix: string): string | undefined {
  return keyPrefix.includes(NAMESPACE_SEPARATOR)
    ? `must not contain "${NAMESPACE_SEPARATOR}", which separates the parts of pub/sub channel names`
    : undefined;
}

/**
 * The database a Redis URL selects: its path (`redis://host:6379/2`), 0 without one. A `db` query parameter is
 * refused (the client would read it only when there is no path), as is any path that is not a plain number, so
 * that one URL has one database.
 */
export function redisDatabase(url: string): { db: number } | { problem: string } {
  if (!URL.canParse(url)) return { problem: 'expected a URL such as redis://host:6379/2' };
  const parsed = new URL(url);
  if (parsed.searchParams.has('db')) {
    return { problem: 'name the database in the path (redis://host:6379/2), not as a "db" parameter' };
  }
  const path = parsed.pathname;
  if (path === '' || path === '/') return { db: 0 };
  const match = /^\/(0|[1-9][0-9]{0,5})$/.exec(path);
  return match
    ? { db: Number(match[1]) }
    : { problem: `the path must be a database number (redis://host:6379/2), got "${path}"` };
}

/** What every pub/sub channel name of this deployment starts with. Throws when the settings are ambiguous. */
export function channelNamespace(url: string, keyPrefix: string): string {
  const prefixProblem = keyPrefixProblem(keyPrefix);
  if (prefixProblem) throw new Error(`redis.key_prefix ${prefixProblem}.`);
  const database = redisDatabase(url);
  if ('problem' in database) throw new Error(`redis.url: ${database.problem}.`);
  return `${keyPrefix}${NAMESPACE_SEPARATOR}${database.db}${NAMESPACE_SEPARATOR}`;
}
