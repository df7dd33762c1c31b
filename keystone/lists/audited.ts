import type { AuditEventType } from '../../schemas/audit.js';
import type { Session } from '../access.js';
import type { ExtensionServices } from '../graphql/builder.js';
import { actorFrom } from '../session.js';

type Runtime = () => ExtensionServices;
type Operation = 'create' | 'update' | 'delete';

/**
 * One audit event for a record changed where no service of its own records it (settings, platforms, GPS
 * data): naming the record and the operation, with the caller and where the request came from. Values are
 * not copied into the event: a setting may hold something sensitive.
 */
export function recordChange(
  runtime: Runtime,
  session: Session | undefined,
  change: { eventType: AuditEventType; resourceType: string; id: string; operation: Operation },
): void {
  runtime().audit.recordChange(session ? actorFrom(session) : undefined, {
    event_type: change.eventType,
    resource_type: change.resourceType,
    resource_id: change.id,
    description: `${change.resourceType} ${change.id}: ${change.operation}`,
    metadata: { operation: change.operation },
  });
}

/** Keystone's `afterOperation` hook recording every change of a list's records. */
export function auditChanges(runtime: Runtime, eventType: AuditEventType, resourceType: string) {
  return (args: {
    operation: Operation;
    item?: unknown;
    originalItem?: unknown;
    context: { session?: Session | undefined };
  }): void => {
    const record = (args.item ?? args.originalItem) as { id: unknown } | undefined;
    recordChange(runtime, args.context.session, {
      eventType,
      resourceType,
      id: String(record?.id),
      operation: args.operation,
    });
  };
}
