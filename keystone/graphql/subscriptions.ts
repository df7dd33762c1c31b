import { requirePermission, requireSignedIn } from '../../core/auth/guards.js';
import { eventIterator } from '../../core/shared/event-iterator.js';
import type { AuditEventRecord } from '../../schemas/audit.js';
import type { GpsPoint } from '../../schemas/gps.js';
import type { auditObjectTypes } from './audit-types.js';
import type { Builder, ExtensionServices } from './builder.js';

const ROLE_CHANGES = new Set(['role_assigned', 'role_removed']);

/**
 * Heimdall's GraphQL subscriptions, fed by the realtime broker's channels (ExtensionServices.live): the same
 * events, and the same permissions, as a `/ws` subscriber of `audit`, `gps` or `user:<id>` gets.
 */
export function heimdallSubscriptions(
  builder: Builder,
  services: () => ExtensionServices,
  AuditEvent: ReturnType<typeof auditObjectTypes>['AuditEvent'],
): void {
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
            services().live.auditEvents((e) => {
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
          return eventIterator<GpsPoint>((push) => services().live.gpsPoints(push));
        },
        resolve: (point) => point,
      }),
      myRolesChanged: t.field({
        type: RoleChange,
        description: 'A role was given to you or taken from you',
        subscribe: (_root, _args, { session }) => {
          requireSignedIn(session);
          const me = session.user?.id;
          // Nobody to hear about: a key without a user never has roles of its own given or taken.
          if (!me) return eventIterator<AuditEventRecord>(() => () => undefined);
          // A user's channel carries their own security events, role changes among them.
          return eventIterator<AuditEventRecord>((push) =>
            services().live.userAuditEvents(me, (e) => {
              if (e.user_id === me && ROLE_CHANGES.has(e.event_type)) push(e);
            }),
          );
        },
        resolve: (event) => event,
      }),
    }),
  });
}
