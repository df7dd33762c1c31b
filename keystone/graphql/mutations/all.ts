import type { Builder, ExtensionServices } from '../builder.js';
import { accessControlMutations } from './access-control.js';
import { apiKeyMutations } from './api-keys.js';
import { namedRowMutations } from './named-rows.js';
import { oauthClientMutations } from './oauth-clients.js';
import { userMutations } from './users.js';

/**
 * Mutations of the lists whose changes have side effects (audit events, cache invalidation, escalation guards):
 * each calls the very service method REST calls, with the same validation (REST's zod schema, so errors name
 * the same fields), and answers with the list item read back through Keystone under the caller's own access
 * rules (null when the caller may change but not see it).
 */
export function heimdallMutations(builder: Builder, services: () => ExtensionServices): void {
  builder.mutationType({});
  for (const module of [
    userMutations,
    accessControlMutations,
    apiKeyMutations,
    oauthClientMutations,
    namedRowMutations,
  ])
    module(builder, services);
}
