import { pipeline } from 'node:stream/promises';
import type { RequestHandler } from 'express';
import type { createAuditExport } from '../../core/audit/export.js';
import { AppError } from '../../core/errors/index.js';
import { actorOf } from '../auth/panel-session.js';
import { auditFilters } from '../resources/audit.js';
import type { ListQuery } from '../resources/service-resource.js';

/** AdminJS's list filters in an address (`filters.status=failure`, `filters.created_at~~from=…`). */
export function filtersOf(query: Record<string, unknown>): ListQuery['filters'] {
  const filters: ListQuery['filters'] = {};
  for (const [key, raw] of Object.entries(query)) {
    if (!key.startsWith('filters.') || typeof raw !== 'string' || raw === '') continue;
    const [name, bound] = key.slice('filters.'.length).split('~~') as [string, string | undefined];
    if (bound === 'from' || bound === 'to') {
      const range = (typeof filters[name] === 'object' ? filters[name] : {}) as {
        from?: string;
        to?: string;
      };
      range[bound] = raw;
      filters[name] = range;
    } else {
      filters[name] = raw;
    }
  }
  return filters;
}

/**
 * GET /admin/export/audit.csv: the audit events the list's filters select, as CSV, streamed from a database
 * cursor (core/audit/export.ts records the export). Bad filters answer 400 with the reason, before any row.
 */
export function auditCsvRoute(auditExport: ReturnType<typeof createAuditExport>): RequestHandler {
  return async (req, res, next) => {
    const actor = actorOf(req.session?.adminUser);
    if (!actor) {
      res.status(401).json({ error: { code: 'admin.signed_out', message: 'Sign in to the panel first.' } });
      return;
    }
    let stream;
    try {
      stream = auditExport.csv(
        actor,
        auditFilters({ filters: filtersOf(req.query as Record<string, unknown>) }),
      );
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        res
          .status(err.status)
          .json({ error: { code: err.code, message: err.message, details: err.details } });
        return;
      }
      next(err);
      return;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="heimdall-audit-${stamp}.csv"`);
    try {
      await pipeline(stream, res);
    } catch {
      // The client went away or the database failed mid-way: the response ends where it broke.
      res.destroy();
    }
  };
}
