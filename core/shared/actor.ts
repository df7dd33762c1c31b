import type { SourceService } from '../../schemas/audit.js';
import type { AuthContext } from '../auth/context.js';

/** Who does something, and from where: every service call that changes data carries it for the audit log. */
export interface Actor {
  auth: AuthContext;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The application the call came through, as the audit log's `source_service`: `api` when not named. */
  source?: SourceService | undefined;
}

/** The audit actor id: the user behind the credential, else the API key. */
export const actorId = (actor: Actor): string | undefined =>
  actor.auth.user?.id ?? (actor.auth.apiKey ? `api_key:${actor.auth.apiKey.id}` : undefined);

/** `::ffff:10.0.0.1` is how Node reports IPv4 clients on a dual-stack socket; store the plain address. */
export const plainIp = (ip: string | undefined) => ip?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

/** Who did it and from where, as the audit event's columns. */
export const auditMeta = (actor: Actor) => ({
  actor_id: actorId(actor),
  ip_address: plainIp(actor.ip),
  user_agent: actor.userAgent,
  source_service: actor.source ?? ('api' as const),
});
