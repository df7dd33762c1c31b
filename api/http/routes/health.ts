import { Router } from 'express';
import type { Knex } from 'knex';
import type { Cache } from '../../../core/cache/types.js';
import { AppError } from '../../../core/errors/index.js';
import type { HttpMetrics } from '../metrics.js';

/**
 * Probes for load balancers and orchestrators: `/health` says the process is up (liveness), `/ready` that its
 * dependencies answer (readiness: 503 naming each one that does not), `/metrics` is for Prometheus.
 */
export interface HealthDeps {
  primary: Knex;
  audit: Knex;
  cache: Cache;
  metrics: HttpMetrics;
}

type CheckState = 'ok' | 'unreachable' | 'not_configured';

const CHECK_TIMEOUT_MS = 2000;

async function probe(fn: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([fn(), timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', async (_req, res) => {
    const checks: Record<string, CheckState> = {};
    const [database, auditDb, redis] = await Promise.all([
      probe(() => deps.primary.raw('select 1')),
      deps.audit === deps.primary ? Promise.resolve(undefined) : probe(() => deps.audit.raw('select 1')),
      deps.cache.kind === 'redis'
        ? probe(() => deps.cache.ping())
        : Promise.resolve<CheckState>('not_configured'),
    ]);
    checks.database = database;
    if (auditDb) checks.audit_database = auditDb;
    checks.redis = redis;
    const down = Object.entries(checks)
      .filter(([, state]) => state === 'unreachable')
      .map(([name]) => name);
    if (down.length > 0) {
      throw new AppError('service.not_ready', 503, `Not ready: ${down.join(', ')} unreachable.`, { checks });
    }
    res.json({ status: 'ok', checks });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
