/**
 * The roles one process can run (docs/architecture.md, "Process roles"). `npm start` runs them all;
 * `heimdall start --roles api` runs a subset. Roles are added here as their services land.
 * - api: REST /v1, GraphQL, Heimdall ID (/oidc, /account) and the docs (every process also answers /health and /ready);
 * - admin: the admin panel at /admin (docs/admin.md), signed in through Heimdall ID;
 * - realtime: the WebSocket service on /ws (docs/realtime.md); any number of nodes share one Redis;
 * - scheduler: recurring jobs (audit partitions and retention). Run it on one process per cluster; a second
 *   one is harmless (jobs take a database lock) but does nothing useful.
 */
export const PROCESS_ROLES = ['api', 'admin', 'realtime', 'scheduler'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export class UnknownRoleError extends Error {}

export function parseRoles(value: string | undefined): ProcessRole[] {
  if (!value || value === 'all') return [...PROCESS_ROLES];
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !(PROCESS_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw new UnknownRoleError(
      `Unknown role${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ') || '(none)'}. Available: ${PROCESS_ROLES.join(', ')}, all.`,
    );
  }
  return [...new Set(roles)] as ProcessRole[];
}
