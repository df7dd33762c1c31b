import SchemaBuilder from '@pothos/core';
import { mergeSchemas } from '@graphql-tools/schema';
import { filterSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { refuseMishandledInput } from './keystone-input-rules.js';
import { heimdallMutations } from './mutations/all.js';
import type { BuilderTypes, ExtensionServices, GpsPoint } from './builder.js';
import type { Session } from '../access.js';
import { eventIterator } from '../../core/shared/event-iterator.js';
import { requirePermission, requireSignedIn } from '../../core/auth/guards.js';
import { validateInput } from '../../core/shared/validation.js';
import {
  listActivityQuery,
  listAuditQuery,
  type ActivityRecord,
  type AuditEventRecord,
} from '../../schemas/audit.js';

/**
 * Heimdall's GraphQL beyond list CRUD, built with Pothos and merged into Keystone's schema: who am I
 * (`me`), `can(resource, action)`, the audit log (`auditEvents`, audit:read) and one's own activity
 * (`myActivity`). Every resolver goes through the shared services and guards, so answers and refusals match REST.
 */
export function heimdallExtensions(services: () => ExtensionServices) {
  const builder = new SchemaBuilder<BuilderTypes>({});

  builder.scalarType('JSON', {
    description: 'Any JSON value',
    serialize: (value) => value,
    parseValue: (value) => value,
  });

  const ApiKeyRef = builder.objectRef<NonNullable<Session['apiKey']>>('MeApiKey').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      prefix: t.exposeString('prefix'),
      userId: t.exposeID('userId', { nullable: true }),
      isSystem: t.exposeBoolean('isSystem'),
      expiresAt: t.exposeString('expiresAt', { nullable: true }),
    }),
  });

  const MeUser = builder.objectRef<NonNullable<Session['user']>>('MeUser').implement({
    fields: (t) => ({ id: t.exposeID('id'), username: t.exposeString('username') }),
  });

  const Me = builder.objectRef<Session>('Me').implement({
    description: "The caller's AuthContext, as GET /v1/me shows it",
    fields: (t) => ({
      user: t.field({ type: MeUser, nullable: true, resolve: (s) => s.user }),
      apiKey: t.field({ type: ApiKeyRef, nullable: true, resolve: (s) => s.apiKey }),
      sessionId: t.string({ nullable: true, resolve: (s) => s.sessionId }),
      roles: t.stringList({ resolve: (s) => [...s.roles] }),
      roleIds: t.stringList({ resolve: (s) => [...s.roleIds] }),
      permissions: t.stringList({ resolve: (s) => [...s.effectivePermissions].sort() }),
      scopes: t.stringList({ resolve: (s) => [...s.scopes] }),
      isSuperAdmin: t.boolean({ resolve: (s) => s.isSuperAdmin }),
      twoFactorRequired: t.boolean({ resolve: (s) => s.twoFactorRequired }),
      twoFactorVerified: t.boolean({ resolve: (s) => s.twoFactorVerified }),
    }),
  });

  const AuditEvent = builder.objectRef<AuditEventRecord>('AuditEvent').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      createdAt: t.string({ description: 'ISO 8601 with microseconds', resolve: (e) => e.created_at }),
      eventType: t.string({ resolve: (e) => e.event_type }),
      userId: t.string({ nullable: true, resolve: (e) => e.user_id }),
      actorId: t.string({ nullable: true, resolve: (e) => e.actor_id }),
      resourceType: t.string({ nullable: true, resolve: (e) => e.resource_type }),
      resourceId: t.string({ nullable: true, resolve: (e) => e.resource_id }),
      ipAddress: t.string({ nullable: true, resolve: (e) => e.ip_address }),
      userAgent: t.string({ nullable: true, resolve: (e) => e.user_agent }),
      description: t.string({ nullable: true, resolve: (e) => e.description }),
      metadata: t.field({ type: 'JSON', resolve: (e) => e.metadata }),
      status: t.string({ resolve: (e) => e.status }),
      errorMessage: t.string({ nullable: true, resolve: (e) => e.error_message }),
      sourceService: t.string({ nullable: true, resolve: (e) => e.source_service }),
      isReported: t.boolean({ resolve: (e) => e.is_reported }),
      countryCode: t.string({ nullable: true, resolve: (e) => e.country_code }),
      countryName: t.string({ nullable: true, resolve: (e) => e.country_name }),
      city: t.string({ nullable: true, resolve: (e) => e.city }),
      region: t.string({ nullable: true, resolve: (e) => e.region }),
    }),
  });

  const Activity = builder.objectRef<ActivityRecord>('Activity').implement({
    description: 'One of your own security events (GET /v1/user/activity)',
    fields: (t) => ({
      id: t.exposeID('id'),
      createdAt: t.string({ resolve: (e) => e.created_at }),
      eventType: t.string({ resolve: (e) => e.event_type }),
      status: t.string({ resolve: (e) => e.status }),
      description: t.string({ nullable: true, resolve: (e) => e.description }),
      resourceType: t.string({ nullable: true, resolve: (e) => e.resource_type }),
      resourceId: t.string({ nullable: true, resolve: (e) => e.resource_id }),
      ipAddress: t.string({ nullable: true, resolve: (e) => e.ip_address }),
      userAgent: t.string({ nullable: true, resolve: (e) => e.user_agent }),
      sourceService: t.string({ nullable: true, resolve: (e) => e.source_service }),
      isReported: t.boolean({ resolve: (e) => e.is_reported }),
      bySelf: t.boolean({ resolve: (e) => e.by_self }),
      countryCode: t.string({ nullable: true, resolve: (e) => e.country_code }),
      countryName: t.string({ nullable: true, resolve: (e) => e.country_name }),
      city: t.string({ nullable: true, resolve: (e) => e.city }),
      region: t.string({ nullable: true, resolve: (e) => e.region }),
    }),
  });

  const AuditEventPage = builder
    .objectRef<{ data: AuditEventRecord[]; next_cursor: string | null }>('AuditEventPage')
    .implement({
      fields: (t) => ({
        nodes: t.field({ type: [AuditEvent], resolve: (p) => p.data }),
        nextCursor: t.string({
          nullable: true,
          description: 'Pass as `after` for the next (older) page',
          resolve: (p) => p.next_cursor,
        }),
      }),
    });
  const ActivityPage = builder
    .objectRef<{ data: ActivityRecord[]; next_cursor: string | null }>('ActivityPage')
    .implement({
      fields: (t) => ({
        nodes: t.field({ type: [Activity], resolve: (p) => p.data }),
        nextCursor: t.string({ nullable: true, resolve: (p) => p.next_cursor }),
      }),
    });

  const ActivityFilter = builder.inputType('ActivityFilter', {
    fields: (t) => ({
      eventTypes: t.stringList(),
      isReported: t.boolean(),
      from: t.string({ description: 'ISO 8601; events at or after' }),
      to: t.string({ description: 'ISO 8601; events before' }),
    }),
  });
  const AuditEventFilter = builder.inputType('AuditEventFilter', {
    fields: (t) => ({
      userId: t.string(),
      actorId: t.string(),
      eventTypes: t.stringList(),
      status: t.string(),
      sourceService: t.string(),
      resourceType: t.string(),
      resourceId: t.string(),
      countryCode: t.string(),
      ip: t.string({ description: 'An address or a CIDR network' }),
      isReported: t.boolean(),
      from: t.string(),
      to: t.string(),
    }),
  });

  /** GraphQL's filter → the REST query shape, validated by the same zod schema (same errors, same rules). */
  const restQuery = (
    filter: Record<string, unknown> | null | undefined,
    after: string | null | undefined,
    first: number | null | undefined,
  ) => {
    const f = filter ?? {};
    const q: Record<string, unknown> = {
      user_id: f.userId,
      actor_id: f.actorId,
      event_type: f.eventTypes ?? undefined,
      status: f.status,
      source_service: f.sourceService,
      resource_type: f.resourceType,
      resource_id: f.resourceId,
      country_code: f.countryCode,
      ip: f.ip,
      is_reported: f.isReported === undefined || f.isReported === null ? undefined : String(f.isReported),
      from: f.from,
      to: f.to,
      cursor: after ?? undefined,
      limit: first ?? undefined,
    };
    for (const k of Object.keys(q)) if (q[k] === undefined || q[k] === null) delete q[k];
    return q;
  };

  builder.queryType({
    fields: (t) => ({
      me: t.field({
        type: Me,
        description: 'Who you are and what you may do (allowed while a required 2FA is pending)',
        resolve: (_root, _args, { session }) => {
          requireSignedIn(session, { allowPendingTwoFactor: true });
          return session;
        },
      }),
      can: t.boolean({
        description: 'Whether you may do resource:action now (scope, permission and 2FA)',
        args: { resource: t.arg.string({ required: true }), action: t.arg.string({ required: true }) },
        resolve: (_root, { resource, action }, { session }) => session?.can(resource, action) ?? false,
      }),
      auditEvents: t.field({
        type: AuditEventPage,
        description: 'The audit log, newest first (audit:read); the same filters as GET /v1/audit',
        args: { filter: t.arg({ type: AuditEventFilter }), after: t.arg.string(), first: t.arg.int() },
        resolve: (_root, args, { session }) => {
          requireSignedIn(session);
          requirePermission(session, 'audit', 'read');
          return services().audit.list(
            validateInput(listAuditQuery, restQuery(args.filter, args.after, args.first), 'arguments'),
          );
        },
      }),
      myActivity: t.field({
        type: ActivityPage,
        description: 'Your own security events with where they came from (GET /v1/user/activity)',
        args: { filter: t.arg({ type: ActivityFilter }), after: t.arg.string(), first: t.arg.int() },
        resolve: (_root, args, { session }) => {
          requireSignedIn(session);
          return services().audit.activity(
            session,
            validateInput(listActivityQuery, restQuery(args.filter, args.after, args.first), 'arguments'),
          );
        },
      }),
    }),
  });

  const GpsUpdate = builder.objectRef<GpsPoint>('GpsUpdate').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      operation: t.exposeString('operation'),
      latitude: t.exposeFloat('latitude'),
      longitude: t.exposeFloat('longitude'),
      altitude: t.exposeFloat('altitude', { nullable: true }),
      speed: t.exposeFloat('speed', { nullable: true }),
      timestamp: t.exposeString('timestamp'),
    }),
  });

  const RoleChange = builder.objectRef<AuditEventRecord>('RoleChange').implement({
    fields: (t) => ({
      eventType: t.string({ description: 'role_assigned or role_removed', resolve: (e) => e.event_type }),
      roleId: t.string({ nullable: true, resolve: (e) => e.resource_id }),
      at: t.string({ resolve: (e) => e.created_at }),
    }),
  });

  const AuditEventSubscriptionFilter = builder.inputType('AuditEventSubscriptionFilter', {
    fields: (t) => ({
      eventTypes: t.stringList(),
      userId: t.string(),
      actorId: t.string(),
      sourceService: t.string(),
      status: t.string(),
    }),
  });

  builder.subscriptionType({
    fields: (t) => ({
      auditEvent: t.field({
        type: AuditEvent,
        description: 'Audit events as they are stored, on any node (audit:read)',
        args: { filter: t.arg({ type: AuditEventSubscriptionFilter }) },
        subscribe: (_root, { filter }, { session }) => {
          requireSignedIn(session);
          requirePermission(session, 'audit', 'read');
          const f = filter ?? {};
          const types = f.eventTypes ? new Set(f.eventTypes) : undefined;
          const wanted = (e: AuditEventRecord) =>
            (!types || types.has(e.event_type)) &&
            (!f.userId || e.user_id === f.userId) &&
            (!f.actorId || e.actor_id === f.actorId) &&
            (!f.sourceService || e.source_service === f.sourceService) &&
            (!f.status || e.status === f.status);
          return eventIterator<AuditEventRecord>((push) =>
            services().auditStream.listen((e) => {
              if (wanted(e)) push(e);
            }),
          );
        },
        resolve: (event) => event,
      }),
      gpsUpdated: t.field({
        type: GpsUpdate,
        description: 'GPS points as they are created or changed (gps:read)',
        subscribe: (_root, _args, { session }) => {
          requireSignedIn(session);
          requirePermission(session, 'gps', 'read');
          return eventIterator<GpsPoint>((push) => services().gps.listen(push));
        },
        resolve: (point) => point,
      }),
      myRolesChanged: t.field({
        type: RoleChange,
        description: 'A role was given to you or taken from you',
        subscribe: (_root, _args, { session }) => {
          requireSignedIn(session);
          const me = session.user?.id;
          return eventIterator<AuditEventRecord>((push) =>
            services().auditStream.listen((e) => {
              if (
                me &&
                e.user_id === me &&
                (e.event_type === 'role_assigned' || e.event_type === 'role_removed')
              )
                push(e);
            }),
          );
        },
        resolve: (event) => event,
      }),
    }),
  });

  heimdallMutations(builder, services);

  const extensions = builder.toSchema();
  return (keystoneSchema: GraphQLSchema): GraphQLSchema => {
    // Keystone also extends its internal schema, which keeps the list mutations the public one omits
    // (createApiKey, updateUser…): there Keystone's own stay, for Keystone's internal use only.
    const taken = new Set(Object.keys(keystoneSchema.getMutationType()?.getFields() ?? {}));
    const ours = filterSchema({
      schema: extensions,
      rootFieldFilter: (operation, name) => operation !== 'Mutation' || !taken.has(name),
    });
    return refuseMishandledInput(mergeSchemas({ schemas: [keystoneSchema, ours] }));
  };
}
