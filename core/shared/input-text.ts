/**
 * What every entry point refuses before anything is stored: text PostgreSQL cannot keep (a NUL character is
 * rejected by `text` and `jsonb` alike), text that is not valid Unicode (a lone UTF-16 surrogate, which
 * `jsonb` rejects and UTF-8 cannot encode), and JSON nested so deep that walking it recursively would exhaust
 * the stack. Checked once, at validation, so that a request either fails with a 400 naming the field or is
 * acknowledged and kept.
 */

/** Deeper nesting than any Heimdall document needs (audit metadata, GraphQL variables). */
export const MAX_INPUT_DEPTH = 32;

export type UnsafeReason = 'nul' | 'surrogate' | 'depth';

export interface UnsafeInput {
  /** Path of the offending value (object keys and array indexes), empty for the value itself. */
  path: (string | number)[];
  reason: UnsafeReason;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored as it is, or undefined when it can. */
export function unsafeText(text: string): Exclude<UnsafeReason, 'depth'> | undefined {
  if (text.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(text)) return 'surrogate';
  return undefined;
}

/**
 * The first place in a parsed JSON-like value (strings, numbers, booleans, null, arrays, plain objects) holding
 * unsafe text, in a key or a value, or nesting deeper than `maxDepth`. Iterative, so a hostile depth cannot
 * overflow the stack here.
 */
export function findUnsafeInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): UnsafeInput | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unsafeText(current);
      if (reason) return { path, reason };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return { path, reason: 'depth' };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: [...path, i] });
      continue;
    }
    const entries = Object.entries(current as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const reason = unsafeText(key);
      if (reason) return { path: [...path, key], reason };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

/**
 * Whether raw JSON text nests deeper than `maxDepth`, read without parsing it (brackets outside strings), so
 * a body parser can refuse it before building the value.
 */
export function jsonNestsDeeperThan(raw: string | Uint8Array, maxDepth = MAX_INPUT_DEPTH): boolean {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i]!;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** A person's words for an unsafe input, for the `message` of a validation issue. */
export function describeUnsafe(reason: UnsafeReason, maxDepth = MAX_INPUT_DEPTH): string {
  switch (reason) {
    case 'nul':
      return 'Text may not contain the NUL character (U+0000).';
    case 'surrogate':
      return 'Text is not valid Unicode (it holds a lone surrogate).';
    case 'depth':
      return `Nested deeper than ${maxDepth} levels.`;
  }
}
