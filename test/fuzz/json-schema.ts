/* eslint-disable @typescript-eslint/no-explicit-any -- JSON Schema is walked as plain JSON */
import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schema (2020-12, as the OpenAPI document states it) of a request part:
 * values the schema accepts, and values one mutation away from that (a field of the wrong type, a required
 * field missing, an unknown field, a hostile string, deep nesting). The keywords handled are the ones
 * Heimdall's document uses; an unknown keyword fails loudly so that a new one is not silently ignored.
 */
export type Schema = Record<string, any>;

const KNOWN_KEYWORDS = new Set([
  'type',
  'format',
  'properties',
  'required',
  'additionalProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'items',
  'default',
  'description',
  'propertyNames',
  '$ref',
  'x-required-permission',
]);

/** Strings that broke or could break an API: storage limits, encodings, injection, dates out of range. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'x\ud800y',
  '\udfff',
  '😀',
  '\u202eevil',
  'a'.repeat(10_000),
  '%ZZ',
  '%C0%AE',
  '../../etc/passwd',
  "' OR '1'='1' --",
  '<script>alert(1)</script>',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '1900-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '-1',
  '1e999',
  'null',
  '__proto__',
  'constructor',
  '\r\nX-Injected: 1',
  '00000000-0000-0000-0000-000000000000',
  `hm_${'x'.repeat(40)}`,
  '*',
  '*:*',
  'a:b:c',
  'ﬀ',
];

/** Values of every JSON type, for "wrong type" mutations. */
export const HOSTILE_VALUES: readonly unknown[] = [
  ...HOSTILE_STRINGS,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 31),
  1e308,
  true,
  false,
  null,
  [],
  {},
  [null],
  JSON.parse('{"__proto__":{"polluted":true}}'),
  nested(40),
];

/** An array nested `depth` levels deep (past the platform's bound of 32 when depth > 32). */
export function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

export class SchemaArbitraries {
  constructor(private readonly doc: Schema) {}

  private resolve(schema: Schema): Schema {
    if (!schema.$ref) return schema;
    const ref = String(schema.$ref);
    if (!ref.startsWith('#/')) throw new Error(`Unsupported $ref ${ref}`);
    return ref
      .slice(2)
      .split('/')
      .reduce((node: any, part) => node?.[part], this.doc);
  }

  /** Values the schema accepts (best effort for patterns and formats: fast-check's own generators). */
  valid(input: Schema): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    for (const key of Object.keys(schema))
      if (!KNOWN_KEYWORDS.has(key)) throw new Error(`Unhandled JSON Schema keyword ${key}`);
    if ('const' in schema) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
    const branches = schema.anyOf ?? schema.oneOf;
    if (branches) return fc.oneof(...(branches as Schema[]).map((b) => this.valid(b)));
    if (schema.allOf)
      return this.valid(Object.assign({}, ...(schema.allOf as Schema[]).map((s) => this.resolve(s))));
    switch (schema.type) {
      case 'string':
        return this.string(schema);
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(schema.items ? this.valid(schema.items) : fc.jsonValue({ maxDepth: 2 }), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        });
      case 'object':
      case undefined:
        return this.object(schema);
      default:
        throw new Error(`Unhandled JSON Schema type ${String(schema.type)}`);
    }
  }

  private string(schema: Schema): fc.Arbitrary<string> {
    switch (schema.format) {
      case 'uuid':
        return fc.uuid();
      case 'date-time':
        return fc
          .date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2099-12-31T00:00:00Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString());
      case 'email':
        return fc.emailAddress();
      case 'uri':
        return fc.webUrl({ validSchemes: ['https'] });
      case 'ipv4':
        return fc.ipV4();
      case 'ipv6':
        return fc.ipV6();
    }
    if (schema.pattern) {
      const max = schema.maxLength ?? 200;
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= max);
    }
    return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
  }

  private object(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set<string>(schema.required ?? []);
    const fields: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, child] of Object.entries(properties)) fields[name] = this.valid(child);
    const requiredKeys = Object.keys(fields).filter((k) => required.has(k));
    if (Object.keys(fields).length === 0 && schema.additionalProperties) {
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), {
        maxKeys: 4,
      });
    }
    return fc.record(fields, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
  }

  /** A value one mutation away from a valid one (or a valid one, about one time in five). */
  mutated(input: Schema): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    return this.valid(schema).chain((value) => mutate(value, schema, (s) => this.resolve(s)));
  }
}

function mutate(value: unknown, schema: Schema, resolve: (s: Schema) => Schema): fc.Arbitrary<unknown> {
  const hostile = fc.constantFrom(...HOSTILE_VALUES);
  const whole = fc.oneof(fc.constant(value), hostile);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (Array.isArray(value) && value.length > 0)
      return fc.oneof(
        whole,
        fc.tuple(fc.nat(value.length - 1), hostile).map(([i, h]) => value.map((v, j) => (j === i ? h : v))),
      );
    return whole;
  }
  const record = value as Record<string, unknown>;
  const properties = Object.keys(resolve(schema).properties ?? {});
  const present = Object.keys(record);
  const options: fc.Arbitrary<unknown>[] = [fc.constant(record), hostile];
  if (present.length > 0) {
    // One field of the wrong type or holding a hostile string.
    options.push(
      fc.tuple(fc.constantFrom(...present), hostile).map(([key, h]) => ({ ...record, [key]: h })),
      // One field left out (a required one when there is one).
      fc.constantFrom(...present).map((key) => {
        const copy = { ...record };
        delete copy[key];
        return copy;
      }),
    );
  }
  if (properties.length > 0) {
    // A field the schema names but the valid value did not set, with any value.
    options.push(
      fc.tuple(fc.constantFrom(...properties), hostile).map(([key, h]) => ({ ...record, [key]: h })),
    );
  }
  // An unknown field, and deep nesting in a field.
  options.push(
    fc
      .tuple(fc.constantFrom('unknown_field', '__proto__', 'constructor', 'isAdmin', ''), hostile)
      .map(([key, h]) => ({
        ...record,
        [key]: h,
      })),
    fc
      .constantFrom(...(present.length > 0 ? present : ['x']))
      .map((key) => ({ ...record, [key]: nested(40) })),
  );
  return fc.oneof(...options);
}
