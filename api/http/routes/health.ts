import { Router } from 'express';
import type { Knex } from 'knex';
import type { Cache } from '../../../core/cache/types.js';
import { AppError } from '../../../core/errors/index.js';
import { checkDependencies, unreachable } from '../../../core/health/checks.js';
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

export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', async (_req, res) => {
    const checks = await checkDependencies(deps);
    const down = unreachable(checks);
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
