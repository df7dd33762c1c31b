import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import * as engineRuntime from '@prisma/schema-engine-wasm/schema_engine_bg';

/**
 * Schema drift: compares the Prisma schema Keystone derives from the lists with the database the knex
 * migrations built, offline, with the WASM build of Prisma's schema engine talking through the pg driver
 * adapter (no engine binary, no network, no shadow database). Answers the SQL that would make the database match
 * the lists, or '' when they agree. Tables Keystone does not model (sessions, 2FA secrets, the audit log, knex's
 * own) are left out of the comparison.
 */

// ES2023's lib has no WebAssembly types (they live in the DOM lib); what is used here:
const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
    };
  }
).WebAssembly;

let engineReady = false;
function loadEngine(): void {
  if (engineReady) return;
  // Rust panics report their message here instead of a bare "cannot read set_message".
  (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = {
    message: '',
    set_message(this: { message: string }, m: string) {
      this.message = m;
    },
  };
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
  const instance = new Wasm.Instance(new Wasm.Module(readFileSync(wasm)), {
    './schema_engine_bg.js': engineRuntime,
  });
  const runtime = engineRuntime as unknown as { __wbg_set_wasm(exports: unknown): void };
  runtime.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  engineReady = true;
}

const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * The engine's introspection reads pg_constraint.contype, of PostgreSQL's one-byte "char" type, which
 * @prisma/adapter-pg 7.10 cannot map; such columns are passed on as Character (one-letter strings).
 */
function mapCharColumns<Q extends SqlQueryable>(queryable: Q): Q {
  // Unbound on purpose: it runs with `self` below, whose performIO remaps the column types.
  const queryRaw = queryable.queryRaw;
  const q = queryable as Q & {
    performIO(query: unknown): Promise<{ fields?: { dataTypeID: number }[] }>;
    startTransaction?: (...args: unknown[]) => Promise<Q>;
  };
  q.queryRaw = async function (query) {
    const charColumns: number[] = [];
    const self = Object.create(q, {
      performIO: {
        value: async (io: unknown) => {
          const res = await q.performIO(io);
          res?.fields?.forEach((f, i) => {
            if (f.dataTypeID === CHAR_OID) {
              f.dataTypeID = TEXT_OID;
              charColumns.push(i);
            }
          });
          return res;
        },
      },
    }) as Q;
    const out = await queryRaw.call(self, query);
    for (const i of charColumns) out.columnTypes[i] = ColumnTypeEnum.Character;
    return out;
  };
  if (typeof q.startTransaction === 'function') {
    const start = q.startTransaction.bind(q);
    q.startTransaction = async (...args: unknown[]) => mapCharColumns(await start(...args));
  }
  return q;
}

interface Engine {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

/** SQL that would bring `databaseUrl` in line with `prismaSchema`, ignoring `externalTables`; '' when in sync. */
export async function schemaDrift(options: {
  databaseUrl: string;
  prismaSchema: string;
  externalTables: readonly string[];
}): Promise<string> {
  loadEngine();
  const pg = new PrismaPg({ connectionString: options.databaseUrl, max: 2 });
  const opened: { dispose(): Promise<void> }[] = [];
  const track = <T extends SqlQueryable & { dispose(): Promise<void> }>(adapter: T): T => {
    opened.push(adapter);
    return mapCharColumns(adapter);
  };
  const adapter = bindMigrationAwareSqlAdapterFactory({
    provider: pg.provider,
    adapterName: pg.adapterName,
    connect: async () => track(await pg.connect()),
    connectToShadowDb: async () => track(await pg.connectToShadowDb()),
  });
  const files = [{ path: 'schema.prisma', content: options.prismaSchema }];
  const SchemaEngine = (
    engineRuntime as unknown as { SchemaEngine: { new: (...a: unknown[]) => Promise<Engine> } }
  ).SchemaEngine;
  const engine = await SchemaEngine.new(
    { datamodels: [['schema.prisma', options.prismaSchema]] },
    () => {},
    adapter,
  );
  try {
    const result = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: { externalTables: options.externalTables.map((t) => `public.${t}`), externalEnums: [] },
    });
    return result.exitCode === 0 ? '' : (result.stdout ?? '').trim();
  } finally {
    engine.free();
    // free() leaves the adapter's pg pool open.
    await Promise.all(opened.map((a) => a.dispose()));
  }
}
