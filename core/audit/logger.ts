import type { Knex } from 'knex';
import { auditEventInputSchema, type AuditEventInput } from '../../schemas/audit.js';
import { AppError } from '../errors/index.js';

/**
 * Records audit events (seed 000, AuditEvent). This first version writes each event with one INSERT;
 * the batched, spooled and GeoIP-enriched writer replaces it behind the same `record` signature.
 */
export interface AuditLogger {
  /** Validates the event against the catalogue and stores it; resolves to the event id. */
  record(event: AuditEventInput): Promise<string>;
}

export function createAuditLogger(db: Knex): AuditLogger {
  return {
    async record(input) {
      const parsed = auditEventInputSchema.safeParse(input);
      if (!parsed.success) {
        throw new AppError('audit.invalid_event', 400, 'The audit event is not valid.', {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        });
      }
      const { metadata, ...event } = parsed.data;
      const [row] = await db('AuditEvent')
        .insert({ ...event, metadata: JSON.stringify(metadata) })
        .returning<{ id: string }[]>('id');
      return row!.id;
    },
  };
}
