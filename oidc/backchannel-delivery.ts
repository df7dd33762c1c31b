import type { Client as ProviderClient, KoaContextWithOIDC } from 'oidc-provider';
import type { AuditLogger } from '../core/audit/logger.js';
import type { Logger } from '../core/logger/logger.js';
import { RefusedTarget } from './outbound-fetch.js';

/**
 * What happens to a back-channel logout (OpenID Connect Back-Channel Logout 1.0) after oidc-provider's one
 * attempt during sign-out. A failure is never silent: it is logged, counted (`heimdall_oidc_backchannel_logouts`)
 * and, once Heimdall gives up, recorded as a failed `logout` audit event for the app. A network error or an
 * error status is retried a few times with growing pauses, in the background: the person signing out does
 * not wait. A target the outbound rule refuses is not retried.
 */
/** oidc-provider's client, with the method that sends one logout token (not in its type declarations). */
type Client = ProviderClient & { backchannelLogout(sub: string, sid: string): Promise<void> };

/** oidc-provider's back-channel events are not in its type declarations. */
type Emitter = { on(event: string, listener: (...args: never[]) => void): unknown };

export type BackchannelOutcome = 'delivered' | 'retried' | 'failed' | 'refused';

export interface BackchannelDelivery {
  /** Listens to a provider's back-channel events (each provider the keys are rotated into). */
  attach(provider: Emitter): void;
  /** Deliveries since start, by outcome (`retried` counts every further attempt). */
  counts(): Record<BackchannelOutcome, number>;
  /** Drops the retries still waiting (shutdown). */
  stop(): void;
}

export function createBackchannelDelivery(deps: {
  audit: AuditLogger;
  logger: Logger;
  /** Pauses before each retry; their number bounds the attempts. */
  retryDelaysMs: readonly number[];
}): BackchannelDelivery {
  const counts: Record<BackchannelOutcome, number> = { delivered: 0, retried: 0, failed: 0, refused: 0 };
  const timers = new Set<NodeJS.Timeout>();

  const giveUp = (
    outcome: 'failed' | 'refused',
    err: unknown,
    client: Client,
    accountId: string,
    attempts: number,
  ) => {
    counts[outcome] += 1;
    const reason = err instanceof Error ? err.message : String(err);
    deps.logger.error(
      { err, clientId: client.clientId, uri: client.backchannelLogoutUri, attempts },
      'back-channel logout not delivered',
    );
    try {
      deps.audit.record({
        event_type: 'logout',
        status: 'failure',
        user_id: accountId,
        actor_id: accountId,
        resource_type: 'oauth_client',
        resource_id: client.clientId,
        metadata: { client_id: client.clientId, backchannel_logout: outcome, attempts, reason },
        source_service: 'id',
      });
    } catch (auditErr) {
      deps.logger.error({ err: auditErr }, 'could not record a failed back-channel logout');
    }
  };

  const retry = (client: Client, accountId: string, sid: string, attempt: number) => {
    const delay = deps.retryDelaysMs[attempt - 2];
    const timer = setTimeout(() => {
      timers.delete(timer);
      counts.retried += 1;
      client.backchannelLogout(accountId, sid).then(
        () => {
          counts.delivered += 1;
          deps.logger.info({ clientId: client.clientId, attempt }, 'back-channel logout delivered on retry');
        },
        (err: unknown) => failed(err, client, accountId, sid, attempt),
      );
    }, delay);
    timer.unref();
    timers.add(timer);
  };

  const failed = (err: unknown, client: Client, accountId: string, sid: string, attempt: number) => {
    if (err instanceof RefusedTarget) return giveUp('refused', err, client, accountId, attempt);
    if (attempt > deps.retryDelaysMs.length) return giveUp('failed', err, client, accountId, attempt);
    deps.logger.warn({ err, clientId: client.clientId, attempt }, 'back-channel logout failed; retrying');
    retry(client, accountId, sid, attempt + 1);
  };

  return {
    attach(provider) {
      provider.on('backchannel.success', () => {
        counts.delivered += 1;
      });
      provider.on(
        'backchannel.error',
        (_ctx: KoaContextWithOIDC, err: unknown, client: Client, accountId: string, sid: string) =>
          failed(err, client, accountId, sid, 1),
      );
    },
    counts: () => ({ ...counts }),
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
