import { z } from 'zod';
import { requirePermission, requireSignedIn } from '../../core/auth/guards.js';
import { uuidParam } from '../../schemas/common.js';
import { linkedAccountSchema } from '../../schemas/social.js';
import type { Builder, ExtensionServices } from './builder.js';
import { actorOf } from './mutations/common.js';
import { schemaInput } from './schema-args.js';
import { schemaFields } from './schema-fields.js';
import { schemaObjectType } from './schema-objects.js';

const userIdArgs = z.object({ user_id: uuidParam.shape.id });

/**
 * Sign-in methods, as REST's /v1/user/accounts and /v1/users/{id}/accounts answer them (the same service, the
 * same record). Platform tokens have no field here: bots get one only from REST's integrations route, where the
 * platform's permission is checked and every token handed out is audited. Unlike the list operations' fields,
 * these are non-null: a person always has a sign-in method, and a refusal is an error, never an empty answer.
 */
export function linkedAccountFields(builder: Builder, services: () => ExtensionServices): void {
  const LinkedAccount = schemaObjectType(builder, 'LinkedAccount', linkedAccountSchema);

  builder.queryFields((t) => ({
    myLinkedAccounts: t.field({
      type: [LinkedAccount],
      nullable: false,
      description: 'Your sign-in methods: your email account and the platforms you linked',
      resolve: (_root, _args, { session }) => {
        requireSignedIn(session);
        return services().linkedAccounts.mine(session);
      },
    }),
    signInMethods: t.field({
      type: [LinkedAccount],
      nullable: false,
      description: "A user's sign-in methods (users:read), as GET /v1/users/{id}/accounts",
      args: schemaFields(userIdArgs, (o) => t.arg(o)),
      resolve: (_root, args, { session }) => {
        requireSignedIn(session);
        requirePermission(session, 'users', 'read');
        return services().linkedAccounts.ofUser(session, schemaInput(userIdArgs, args).user_id);
      },
    }),
  }));

  builder.mutationFields((t) => ({
    unlinkAccount: t.boolean({
      nullable: false,
      description:
        'Unlinks one of your sign-in methods (never the last one); the primary passes to another. Answers true',
      args: schemaFields(uuidParam, (o) => t.arg(o)),
      resolve: async (_root, args, { session }) => {
        await services().linkedAccounts.unlink(actorOf(session), schemaInput(uuidParam, args).id);
        return true;
      },
    }),
    setPrimaryAccount: t.field({
      type: LinkedAccount,
      nullable: false,
      description: 'Makes one of your sign-in methods the primary: it supplies your profile and email claims',
      args: schemaFields(uuidParam, (o) => t.arg(o)),
      resolve: (_root, args, { session }) =>
        services().linkedAccounts.setPrimary(actorOf(session), schemaInput(uuidParam, args).id),
    }),
  }));
}
