import { Counter, type Registry } from 'prom-client';
import type { BackchannelOutcome } from './backchannel-delivery.js';

/** `heimdall_oidc_backchannel_logouts{outcome}`: back-channel logouts since start (read when scraped). */
export function registerBackchannelMetrics(
  registry: Registry,
  counts: () => Record<BackchannelOutcome, number>,
): void {
  new Counter({
    name: 'heimdall_oidc_backchannel_logouts',
    help: 'Back-channel logouts by outcome: delivered, retried (each further attempt), failed, refused (outbound rule)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(counts())) this.inc({ outcome }, count);
    },
  });
}
