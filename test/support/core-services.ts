import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import type { Knex } from 'knex';
import { createAuditSpool } from '../../core/audit/spool.js';
import { createAuditWriter, type AuditLogger } from '../../core/audit/writer.js';
import { createAuthContext, type AuthContextData } from '../../core/auth/context.js';
import { createMigrator } from '../../core/db/migrate.js';
import type { Actor } from '../../core/shared/actor.js';
import { runSeeds } from '../../migrations/seeds/run.js';
import type { AuditEventRecord } from '../../schemas/audit.js';
import { useTestDatabase } from './knex.js';

export const AUDIT_SETTINGS = {
  retentionDays: 365,
  compressionAfterDays: 30,
  chunkIntervalDays: 7,
  partitionsAheadWeeks: 4,
};

/**
 * Services of core/ tested on their own: a fresh database migrated (core and audit) and seeded, and a real audit
 * writer on it. Callers are built as AuthContexts directly, with the permissions a test names.
 */
export interface CoreTestContext {
  readonly db: Knex;
  readonly audit: AuditLogger;
  /** A signed-in user (a fresh id) holding `permissions`, acting from 203.0.113.7 through the admin panel. */
  actor(permissions: string[], extra?: Partial<AuthContextData>): Actor;
  /** The stored events of `type` about `resourceId` (after a flush), oldest first. */
  events(type: string, resourceId?: string): Promise<AuditEventRecord[]>;
}

let actors = 0;

export function useCoreServices(): CoreTestContext {
  const t = useTestDatabase();
  let audit: AuditLogger | undefined;
  let spoolDir = '';
  beforeAll(async () => {
    await createMigrator(t.db, 'core', AUDIT_SETTINGS).up();
    await createMigrator(t.db, 'audit', AUDIT_SETTINGS).up();
    await runSeeds(t.db);
    spoolDir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-core-test-spool-'));
    audit = createAuditWriter({ db: t.db, spool: createAuditSpool(spoolDir), flushIntervalMs: 20 });
  });
  afterAll(async () => {
    await audit?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });
  return {
    get db() {
      return t.db;
    },
    get audit() {
      if (!audit) throw new Error('The audit writer starts in beforeAll.');
      return audit;
    },
    actor(permissions, extra = {}) {
      actors += 1;
      const auth = createAuthContext({
        user: {
          id: `00000000-0000-4000-8000-${String(actors).padStart(12, '0')}`,
          username: `actor${actors}`,
        },
        apiKey: null,
        sessionId: null,
        roles: [],
        roleIds: [],
        permissions,
        scopes: ['*'],
        ownerCap: null,
        twoFactorRequired: false,
        twoFactorVerified: false,
        ...extra,
      });
      return { auth, ip: '203.0.113.7', userAgent: 'core-test', source: 'admin' };
    },
    async events(type, resourceId) {
      await audit!.flush();
      const q = t.db('AuditEvent').where({ event_type: type }).orderBy('created_at');
      if (resourceId !== undefined) q.where({ resource_id: resourceId });
      return q;
    },
  };
}
