import type { AuditEventType, SourceService } from '../../schemas/audit.js';
import { auditMeta, type Actor } from '../shared/actor.js';
import type { AuditLogger } from './logger.js';

type AuditEventInput = Parameters<AuditLogger['record']>[0];

/** What an event says about itself; who caused it and from where come from its origin. */
export type AuditFields = Omit<
  AuditEventInput,
  'event_type' | 'actor_id' | 'ip_address' | 'user_agent' | 'source_service'
>;

/**
 * Where an event comes from when no signed-in Actor stands behind it: a person on the ID pages (their own
 * id as the actor, the request's address as the page received it) or the platform itself (no actor at all).
 */
export interface Origin {
  source: SourceService;
  actorId?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** A person acting on their own account from the ID pages (registration, sign-in, password changes). */
export const bySelf = (
  userId: string,
  request: { ip?: string | undefined; userAgent?: string | undefined } = {},
): Origin => ({ source: 'id', actorId: userId, ip: request.ip, userAgent: request.userAgent });

export interface AuditRecorder<T extends AuditEventType> {
  /** Records `type` caused by `by`, with the recorder's defaults under `fields`; answers the event's id. */
  record(type: T, by: Actor | Origin, fields?: AuditFields): string;
}

const originMeta = (origin: Origin) => ({
  actor_id: origin.actorId,
  ip_address: origin.ip,
  user_agent: origin.userAgent,
  source_service: origin.source,
});

/**
 * The one way services record audit events. An Actor (REST, GraphQL, the CLI, the admin panel) fills the actor
 * id, its plain address, user agent and source (its own, else `api`) the same way for every service; `defaults` carries what all
 * of one service's events share (their resource type, say), and each event's own fields win over them.
 */
export function auditRecorder<T extends AuditEventType = AuditEventType>(
  audit: Pick<AuditLogger, 'record'>,
  defaults: AuditFields = {},
): AuditRecorder<T> {
  return {
    record: (type, by, fields = {}) =>
      audit.record({
        event_type: type,
        ...defaults,
        ...fields,
        ...('auth' in by ? auditMeta(by) : originMeta(by)),
      }),
  };
}
