import type { ActionRequest, PageContext } from 'adminjs';
import { AppError } from '../../core/errors/index.js';
import { explainSubjectOf, requireExplainAccess, type PermissionExplainer } from '../../core/rbac/explain.js';
import { validateInput } from '../../core/shared/validation.js';
import type { UserService } from '../../core/users/service.js';
import { explainPermissionQuery, listUsersQuery } from '../../schemas/rbac.js';
import { onlyWith } from '../resources/actions.js';
import { refusalOf, requireActor } from '../resources/service-resource.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * "Can this user or API key do resource:action, and why?": the panel's form of GET /v1/permissions/explain,
 * answered by the same explainer (which runs the same decision as every real check). A user may be named by id,
 * email or username; a key by id.
 */
export function explainPage(deps: { explainer: PermissionExplainer; users: UserService }) {
  async function userIdOf(who: string): Promise<string> {
    if (UUID.test(who)) return who;
    const page = await deps.users.list(validateInput(listUsersQuery, { q: who, per_page: '5' }, 'form'));
    const exact = page.data.find(
      (u) => u.username.toLowerCase() === who.toLowerCase() || u.email?.toLowerCase() === who.toLowerCase(),
    );
    if (!exact) throw new AppError('user.not_found', 404, `No user is called or has the email "${who}".`);
    return exact.id;
  }

  return {
    component: 'ExplainPage',
    icon: 'HelpCircle',
    ...onlyWith('permissions', 'read'),
    handler: async (request: ActionRequest, _response: unknown, context: PageContext) => {
      if (request.method !== 'post') return {};
      const actor = requireActor(context);
      const payload = (request.payload ?? {}) as Record<string, unknown>;
      try {
        const who = String(payload.subject ?? '').trim();
        const kind = payload.kind === 'api_key' ? 'api_key' : 'user';
        const query = validateInput(
          explainPermissionQuery,
          {
            permission: String(payload.permission ?? '').trim(),
            ...(kind === 'user' && who ? { user_id: await userIdOf(who) } : {}),
            ...(kind === 'api_key' ? { api_key_id: who } : {}),
          },
          'form',
        );
        const subject = explainSubjectOf(query);
        requireExplainAccess(actor.auth, subject);
        return { explanation: await deps.explainer.explain(subject, query.permission) };
      } catch (err) {
        return { error: refusalOf(err).message };
      }
    },
  };
}
