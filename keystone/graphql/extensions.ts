import SchemaBuilder from '@pothos/core';
import { mergeSchemas } from '@graphql-tools/schema';
import { filterSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { refuseMishandledInput } from './keystone-input-rules.js';
import { heimdallMutations } from './mutations/all.js';
import type { BuilderTypes, ExtensionServices } from './builder.js';
import type { Session } from '../access.js';
import { requirePermission, requireSignedIn } from '../../core/auth/guards.js';
import {
  listActivityQuery,
  listAuditQuery,
  type ActivityRecord,
  type AuditEventRecord,
} from '../../schemas/audit.js';
import { auditObjectTypes } from './audit-types.js';
import { schemaInput } from './schema-args.js';
import { schemaFields } from './schema-fields.js';
import { schemaObjectType } from './schema-objects.js';
import { explainPermissionQuery, permissionExplanationSchema } from '../../schemas/rbac.js';
import { explainSubjectOf, requireExplainAccess } from '../../core/rbac/explain.js';
import { heimdallSubscriptions } from './subscriptions.js';
import { linkedAccountFields } from './linked-accounts.js';

/**
 * Heimdall's GraphQL beyond list CRUD, built with Pothos and merged into Keystone's schema: who am I
 * (`me`), `can(resource, action)`, why a user or key may or may not do something (`explainPermission`), the
 * audit log (`auditEvents`, audit:read), one's own activity (`myActivity`) and sign-in methods
 * (`myLinkedAccounts`, `signInMethods`, `unlinkAccount`, `setPrimaryAccount`). Every resolver goes through
 * the shared services and guards, so answers and refusals match REST.
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

  const { AuditEvent, Activity } = auditObjectTypes(builder);

  const PermissionExplanation = schemaObjectType(
    builder,
    'PermissionExplanation',
    permissionExplanationSchema,
    {
      subject: 'PermissionExplanationSubject',
      steps: 'PermissionExplanationStep',
      'steps.roles': 'PermissionExplanationRole',
    },
  );

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

  /**
   * A filter and page as the arguments of REST's query schema (schemaInput maps each key to its camelCase name
   * and validates, so errors and rules are REST's). Only what GraphQL names or types its own way is spelled
   * out: a list of event types, a boolean for is_reported (a query string there), and Relay's after/first.
   */
  const queryArgs = (
    filter: Record<string, unknown> | null | undefined,
    after: string | null | undefined,
    first: number | null | undefined,
  ): Record<string, unknown> => {
    const { eventTypes, isReported, ...rest } = filter ?? {};
    return {
      ...rest,
      eventType: eventTypes,
      isReported: isReported === undefined || isReported === null ? undefined : String(isReported),
      cursor: after,
      limit: first,
    };
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
      explainPermission: t.field({
        type: PermissionExplanation,
        description:
          'Whether a user or an API key may do resource:action, and why (GET /v1/permissions/explain): ' +
          'permissions:read, and users:read for a user or api_keys:read for a key',
        args: schemaFields(explainPermissionQuery, (o) => t.arg(o), {
          descriptions: {
            permission: 'The permission to explain, `resource:action`',
            user_id: 'The user to explain, as they would be signed in (exactly one of userId and apiKeyId)',
            api_key_id: 'The API key to explain',
          },
        }),
        resolve: (_root, args, { session }) => {
          requireSignedIn(session);
          requirePermission(session, 'permissions', 'read');
          const query = schemaInput(explainPermissionQuery, args);
          const subject = explainSubjectOf(query);
          requireExplainAccess(session, subject);
          return services().explainer.explain(subject, query.permission);
        },
      }),
      auditEvents: t.field({
        type: AuditEventPage,
        description: 'The audit log, newest first (audit:read); the same filters as GET /v1/audit',
        args: { filter: t.arg({ type: AuditEventFilter }), after: t.arg.string(), first: t.arg.int() },
        resolve: (_root, args, { session }) => {
          requireSignedIn(session);
          requirePermission(session, 'audit', 'read');
          return services().audit.list(
            schemaInput(listAuditQuery, queryArgs(args.filter, args.after, args.first)),
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
            schemaInput(listActivityQuery, queryArgs(args.filter, args.after, args.first)),
          );
        },
      }),
    }),
  });

  heimdallSubscriptions(builder, services, AuditEvent);
  heimdallMutations(builder, services);
  linkedAccountFields(builder, services);

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
