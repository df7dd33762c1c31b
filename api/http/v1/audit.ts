import type { AuditService } from '../../../core/audit/service.js';
import {
  activitySchema,
  auditEventSchema,
  cursorListOf,
  listActivityQuery,
  listAuditQuery,
  reportActivityBody,
  submitAuditBody,
  submitAuditResponse,
} from '../../../schemas/audit.js';
import { uuidParam } from '../../../schemas/common.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

const userRequired = { status: 403, code: 'auth.user_required' } as const;

/** `/v1/audit` (audit:read / audit:write) and a person's own `/v1/user/activity`. */
export function auditRoutes(service: AuditService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/audit',
      summary: 'Search the audit log, newest first, with cursor pagination',
      tag: 'audit',
      access: { permission: 'audit:read' },
      query: listAuditQuery,
      response: cursorListOf(auditEventSchema),
      handler: ({ query }) => service.list(query),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/audit',
      summary: 'Submit one event, or up to 1,000 as {"events": [...]}; answered once they are stored',
      tag: 'audit',
      access: { permission: 'audit:write' },
      bodyLimit: '8mb',
      body: submitAuditBody,
      response: submitAuditResponse,
      status: 201,
      handler: ({ req, body }) => service.submit(actorOf(req), body),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/user/activity',
      summary: 'Your own security events (sign-ins, 2FA, sessions, keys…) with where they came from',
      tag: 'user',
      access: 'authenticated',
      query: listActivityQuery,
      response: cursorListOf(activitySchema),
      errors: [userRequired],
      handler: ({ auth, query }) => service.activity(auth, query),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/user/activity/:id/report',
      summary: 'Flag one of your events as not done by you; administrators see it as reported',
      tag: 'user',
      access: 'authenticated',
      params: uuidParam,
      body: reportActivityBody,
      response: activitySchema,
      errors: [userRequired, { status: 404, code: 'audit.event_not_found' }],
      handler: ({ req, params, body }) => service.report(actorOf(req), params.id, body.reason),
    }),
  ];
}
