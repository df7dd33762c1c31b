import type { Knex } from 'knex';
import {
  ACTIVITY_FIELDS,
  USER_ACTIVITY_EVENT_TYPES,
  type ActivityRecord,
  type AuditEventInput,
  type AuditEventRecord,
  type ListActivityQuery,
  type ListAuditQuery,
  type SubmitAuditBody,
} from '../../schemas/audit.js';
import type { AuthContext } from '../auth/context.js';
import { assertScope, requireUserId } from '../auth/guards.js';
import { notFound } from '../errors/index.js';
import { actorId, auditMeta, type Actor } from '../shared/actor.js';
import { auditFilterOf, createAuditQueries } from './queries.js';
import type { AuditLogger } from './writer.js';

/** What a person sees of an event about them (the columns of ACTIVITY_FIELDS), and whether they did it. */
const toActivity = (e: AuditEventRecord): ActivityRecord => {
  const activity: Partial<Record<keyof ActivityRecord, unknown>> = {};
  for (const name of ACTIVITY_FIELDS)
    activity[name] = name === 'by_self' ? e.actor_id === e.user_id : e[name];
  return activity as ActivityRecord;
};

/** A person's own activity needs a person: a user's key or (later) session, not a system key. */
function ownUserId(auth: AuthContext, action: 'read' | 'write'): string {
  const id = requireUserId(auth);
  assertScope(auth, 'users', action);
  return id;
}

/**
 * The audit API: reading the log (audit:read, checked by the route), apps submitting events
 * (audit:write), and a person's own security activity, which they may flag as not theirs.
 */
export function createAuditService(deps: { db: Knex; audit: AuditLogger }) {
  const queries = createAuditQueries(deps.db);

  return {
    list: (query: ListAuditQuery) => queries.list(auditFilterOf(query), query),
    /** One event by id (audit:read, checked by the caller as for the list). */
    find: (id: string) => queries.find(id),

    /**
     * Records events from an app or bot and resolves once they are stored (in the database, or in the spool
     * while it is away). The submitting credential is kept in metadata.submitted_by, whatever the app sent.
     */
    async submit(actor: Actor, body: SubmitAuditBody): Promise<{ ids: string[] }> {
      const events: AuditEventInput[] = 'events' in body ? body.events : [body];
      const submittedBy = actorId(actor) ?? null;
      // Validated as a whole by the route: either every event is recorded or none.
      const ids = events.map((event) =>
        deps.audit.record({ ...event, metadata: { ...event.metadata, submitted_by: submittedBy } }),
      );
      await deps.audit.flush();
      return { ids };
    },

    /**
     * A change made where no service of its own records it (Keystone's list operations on settings, platforms
     * and GPS data), with who made it and from where. A change without a caller is the platform's own.
     */
    recordChange(
      actor: Actor | undefined,
      event: Omit<AuditEventInput, 'actor_id' | 'ip_address' | 'user_agent' | 'source_service'>,
    ): string {
      return deps.audit.record({ ...event, ...(actor ? auditMeta(actor) : { source_service: 'api' }) });
    },

    async activity(auth: AuthContext, query: ListActivityQuery) {
      const userId = ownUserId(auth, 'read');
      const allowed = new Set<string>(USER_ACTIVITY_EVENT_TYPES);
      const eventTypes = query.event_type ? query.event_type.filter((t) => allowed.has(t)) : [...allowed];
      if (eventTypes.length === 0) return { data: [], next_cursor: null };
      const page = await queries.list(
        { userId, eventTypes, isReported: query.is_reported, from: query.from, to: query.to },
        query,
      );
      return { data: page.data.map(toActivity), next_cursor: page.next_cursor };
    },

    /** "This wasn't me": flags the event and records activity_reported (once, however often it is sent). */
    async report(actor: Actor, id: string, reason: string | undefined): Promise<ActivityRecord> {
      const userId = ownUserId(actor.auth, 'write');
      let marked = await queries.markReported(userId, id, USER_ACTIVITY_EVENT_TYPES);
      if (!marked) {
        // The event may be a moment old and still on its way to the database.
        await deps.audit.flush();
        marked = await queries.markReported(userId, id, USER_ACTIVITY_EVENT_TYPES);
      }
      if (!marked) {
        throw notFound('audit.event_not_found', 'No event with this id in your activity.');
      }
      if (!marked.already) {
        deps.audit.record({
          event_type: 'activity_reported',
          user_id: userId,
          resource_type: 'audit_event',
          resource_id: id,
          description: `Reported ${marked.event.event_type} as not done by the account owner`,
          metadata: { reported_event_type: marked.event.event_type, ...(reason ? { reason } : {}) },
          ...auditMeta(actor),
        });
      }
      return toActivity(marked.event);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
