import type { z } from 'zod';

/**
 * Environment variables are strings; this turns one into the type the config schema expects at its path,
 * so `HEIMDALL__SERVER__PORT=8080` becomes the number 8080. Values that cannot be coerced are passed on
 * unchanged and the schema then reports them with the expected type.
 */

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { def: Def }).def;

/** Removes default/optional/nullable/pipe wrappers to reach the schema that describes the value itself. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (
      def.type === 'default' ||
      def.type === 'optional' ||
      def.type === 'nullable' ||
      def.type === 'prefault'
    ) {
      current = def.innerType as z.ZodType;
    } else if (def.type === 'pipe') {
      current = def.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The schema at `keys`, or undefined when no such key exists (an unknown key). */
export function schemaAt(root: z.ZodType, keys: readonly string[]): z.ZodType | undefined {
  let current: z.ZodType = root;
  for (const key of keys) {
    const node = unwrap(current);
    const def = defOf(node);
    if (def.type !== 'object') return undefined;
    const shape = (node as unknown as { shape: Record<string, z.ZodType> }).shape;
    if (!Object.hasOwn(shape, key)) return undefined;
    current = shape[key] as z.ZodType;
  }
  return current;
}

function kinds(schema: z.ZodType): Set<string> {
  const node = unwrap(schema);
  const def = defOf(node);
  if (def.type === 'union') return new Set((def.options as z.ZodType[]).flatMap((o) => [...kinds(o)]));
  return new Set([def.type]);
}

const NUMBER = /^[-+]?\d+(\.\d+)?$/;
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function coerceEnvValue(schema: z.ZodType, raw: string): unknown {
  const accepted = kinds(schema);
  const lower = raw.trim().toLowerCase();
  if (
    accepted.has('boolean') &&
    (TRUE.has(lower) || FALSE.has(lower)) &&
    !(accepted.has('number') && NUMBER.test(lower))
  ) {
    return TRUE.has(lower);
  }
  if (accepted.has('number') && NUMBER.test(raw.trim())) return Number(raw.trim());
  if (accepted.has('array')) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('[')) {
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        return raw;
      }
    }
    return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
  }
  if (accepted.has('object')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}
