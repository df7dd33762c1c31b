import { createOAuthClientBody, updateOAuthClientBody } from '../../../schemas/oauth-clients.js';
import { schemaInput } from '../schema-args.js';
import { schemaInputType } from '../schema-fields.js';
import { actorOf, itemRef, type Item, type MutationModule } from './common.js';
import { viaService } from './via-service.js';

/**
 * Keys of the client schemas that only REST offers: they came after the GraphQL inputs were published, and
 * adding them is a change of the public GraphQL schema of its own.
 */
const NOT_IN_GRAPHQL = ['backchannel_logout_uri', 'is_first_party'] as const;

/** OAuth clients: the secret is in the create and regenerate answers only (the client service). */
export const oauthClientMutations: MutationModule = (builder, services) => {
  const OAuthClient = itemRef(builder, 'OAuthClient');
  const IssuedOAuthClient = builder
    .objectRef<{ client: Item | null; clientSecret: string | null }>('IssuedOAuthClient')
    .implement({
      description:
        'A new client, or a new secret: `clientSecret` is shown in this answer only (null for public clients)',
      fields: (t) => ({
        clientSecret: t.exposeString('clientSecret', { nullable: true }),
        client: t.field({ type: OAuthClient, nullable: true, resolve: (r) => r.client }),
      }),
    });
  const NewOAuthClient = schemaInputType(builder, 'NewOAuthClient', createOAuthClientBody, {
    omit: NOT_IN_GRAPHQL,
  });
  const OAuthClientChanges = schemaInputType(builder, 'OAuthClientChanges', updateOAuthClientBody, {
    omit: NOT_IN_GRAPHQL,
  });
  const issued = (client: Item | null, { clientSecret }: { clientSecret: string | null }) => ({
    clientSecret,
    client,
  });

  builder.mutationFields((t) => ({
    createOAuthClient: t.field({
      type: IssuedOAuthClient,
      description: 'A client for Heimdall ID (oauth_clients:create); its secret is shown in this answer only',
      args: { data: t.arg({ type: NewOAuthClient, required: true }) },
      resolve: (_root, { data }, context) =>
        viaService(context, {
          input: () => schemaInput(createOAuthClientBody, data),
          run: (actor, input) => services().oauthClients.create(actor, input),
          readBack: ['OAuthClient', (created) => created.row.id],
          answer: issued,
        }),
    }),
    updateOAuthClient: t.field({
      type: OAuthClient,
      nullable: true,
      args: { id: t.arg.id({ required: true }), data: t.arg({ type: OAuthClientChanges, required: true }) },
      resolve: (_root, { id, data }, context) =>
        viaService(context, {
          input: () => schemaInput(updateOAuthClientBody, data),
          run: (actor, input) => services().oauthClients.update(actor, String(id), input),
          readBack: ['OAuthClient', () => String(id)],
        }),
    }),
    regenerateOAuthClientSecret: t.field({
      type: IssuedOAuthClient,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, context) =>
        viaService(context, {
          run: (actor) => services().oauthClients.regenerateSecret(actor, String(id)),
          readBack: ['OAuthClient', (issued) => issued.row.id],
          answer: issued,
        }),
    }),
    deleteOAuthClient: t.id({
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, { session }) => {
        await services().oauthClients.remove(actorOf(session), String(id));
        return id;
      },
    }),
  }));
};
