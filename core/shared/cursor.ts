import { AppError } from '../errors/index.js';

/**
 * Keyset pagination for lists newest first: the position of a page's last row, a time with microseconds and
 * a UUID, handed to clients as an opaque cursor (base64url of `<time>|<id>`), with which the next page starts
 * strictly after that row however many rows arrive meanwhile.
 */
export interface KeysetPosition {
  /** ISO 8601 in UTC with microseconds (`isoMicrosSql`), as stored. */
  at: string;
  id: string;
}

export const encodeCursor = (p: KeysetPosition): string =>
  Buffer.from(`${p.at}|${p.id}`, 'utf8').toString('base64url');

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/;

/** The position a cursor names; 400 request.validation_failed (field `cursor`) for anything else. */
export function decodeCursor(cursor: string): KeysetPosition {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new AppError('request.validation_failed', 400, 'The request query is not valid.', {
      fields: [{ in: 'query', field: 'cursor', message: 'Not a cursor this API returned.' }],
    });
  }
  return { at: match[1]!, id: match[2]! };
}

/** A page from `limit + 1` rows fetched in order: the first `limit`, and the cursor after them if there are more. */
export function keysetPage<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => KeysetPosition,
): { data: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, next_cursor: more && last ? encodeCursor(positionOf(last)) : null };
}
