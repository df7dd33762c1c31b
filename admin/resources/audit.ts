import type { AuditService } from '../../core/audit/service.js';
import { requirePermission } from '../../core/auth/guards.js';
import { validateInput } from '../../core/shared/validation.js';
import { AUDIT_COLUMN_NAMES } from '../../schemas/audit-columns.js';
import {
  AUDIT_EVENT_TYPES,
  AUDIT_STATUSES,
  listAuditQuery,
  SOURCE_SERVICES,
  type AuditEventRecord,
} from '../../schemas/audit.js';
import { builtInActions, onlyWith } from './actions.js';
import { createCursorPager } from './cursor-pages.js';
import { ServiceResource, textFilter, type ListQuery, type ResourceBackend } from './service-resource.js';

/** The panel's audit filters → the audit search's query (the same one GET /v1/audit takes). */
export function auditFilters(query: Pick<ListQuery, 'filters'>): Record<string, string> {
  const f = query.filters;
  const created = typeof f.created_at === 'object' ? f.created_at : undefined;
  const text = (name: string) => textFilter({ ...query, limit: 0, offset: 0, sort: undefined }, name);
  return {
    ...(text('event_type') ? { event_type: text('event_type')! } : {}),
    ...(text('user_id') ? { user_id: text('user_id')! } : {}),
    ...(text('actor_id') ? { actor_id: text('actor_id')! } : {}),
    ...(text('ip_address') ? { ip: text('ip_address')! } : {}),
    ...(text('country_code') ? { country_code: text('country_code')! } : {}),
    ...(text('status') ? { status: text('status')! } : {}),
    ...(text('source_service') ? { source_service: text('source_service')! } : {}),
    ...(created?.from ? { from: new Date(created.from).toISOString() } : {}),
    ...(created?.to ? { to: new Date(created.to).toISOString() } : {}),
  };
}

function backend(audit: AuditService): ResourceBackend<AuditEventRecord> {
  const pageAt = createCursorPager();
  return {
    id: 'AuditLog',
    properties: [
      { path: 'id', isId: true },
      ...AUDIT_COLUMN_NAMES.filter((name) => name !== 'id').map((path) => ({
        path,
        isTitle: path === 'event_type',
        type:
          path === 'created_at'
            ? ('datetime' as const)
            : path === 'is_reported'
              ? ('boolean' as const)
              : path === 'metadata'
                ? ('textarea' as const)
                : ('string' as const),
      })),
    ],
    toParams: (e) => ({ ...e, metadata: JSON.stringify(e.metadata, null, 2) }),
    async list(actor, query) {
      requirePermission(actor.auth, 'audit', 'read');
      const filters = auditFilters(query);
      const view = `${actor.auth.user?.id}|${query.limit}|${JSON.stringify(filters)}`;
      return pageAt(view, query.offset, query.limit, async (cursor) =>
        audit.list(
          validateInput(
            listAuditQuery,
            { ...filters, limit: String(query.limit), ...(cursor ? { cursor } : {}) },
            'filters',
          ),
        ),
      );
    },
    async get(actor, id) {
      requirePermission(actor.auth, 'audit', 'read');
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const page = await audit.find(id);
      return page;
    },
  };
}

const options = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));

export function auditResource(services: { audit: AuditService }) {
  return {
    resource: new ServiceResource(backend(services.audit)),
    options: {
      navigation: { name: 'security', icon: 'Activity' },
      listProperties: [
        'created_at',
        'event_type',
        'status',
        'user_id',
        'actor_id',
        'ip_address',
        'country_code',
        'source_service',
      ],
      filterProperties: [
        'event_type',
        'user_id',
        'actor_id',
        'ip_address',
        'country_code',
        'status',
        'source_service',
        'created_at',
      ],
      showProperties: [...AUDIT_COLUMN_NAMES],
      properties: {
        event_type: { availableValues: options(AUDIT_EVENT_TYPES) },
        status: { availableValues: options(AUDIT_STATUSES) },
        source_service: { availableValues: options(SOURCE_SERVICES) },
      },
      actions: {
        ...builtInActions('audit'),
        /** A CSV of what the list shows (its filters), streamed by /admin/export/audit.csv. */
        export: {
          actionType: 'resource' as const,
          icon: 'Download',
          component: 'AuditExport',
          ...onlyWith('audit', 'read'),
          handler: async () => ({}),
        },
      },
    },
  };
}
