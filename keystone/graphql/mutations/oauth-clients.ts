import { validateInput } from '../../../core/shared/validation.js';
import { createOAuthClientBody, updateOAuthClientBody } from '../../../schemas/oauth-clients.js';
import { actorOf, itemRef, readBack, sent, type Item, type MutationModule } from './common.js';

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
  const OAuthClientFields = (name: string, required: boolean) =>
    builder.inputType(name, {
      fields: (t) => ({
        name: t.string({ required }),
        description: t.string(),
        logoUrl: t.string(),
        redirectUris: t.stringList({ required }),
        postLogoutRedirectUris: t.stringList(),
        grantTypes: t.stringList(),
        scopes: t.stringList(),
        isActive: t.boolean(),
        ...(required ? { tokenEndpointAuthMethod: t.string(), userId: t.id() } : {}),
      }),
    });
  const NewOAuthClient = OAuthClientFields('NewOAuthClient', true);
  const OAuthClientChanges = OAuthClientFields('OAuthClientChanges', false);
  const clientBody = (data: Record<string, unknown>) =>
    sent({
      name: data.name ?? undefined,
      description: data.description,
      logo_url: data.logoUrl,
      redirect_uris: data.redirectUris ?? undefined,
      post_logout_redirect_uris: data.postLogoutRedirectUris ?? undefined,
      grant_types: data.grantTypes ?? undefined,
      scopes: data.scopes ?? undefined,
      is_active: data.isActive ?? undefined,
      token_endpoint_auth_method: data.tokenEndpointAuthMethod ?? undefined,
      user_id: data.userId === undefined ? undefined : data.userId === null ? null : String(data.userId),
    });

  builder.mutationFields((t) => ({
    createOAuthClient: t.field({
      type: IssuedOAuthClient,
      description: 'A client for Heimdall ID (oauth_clients:create); its secret is shown in this answer only',
      args: { data: t.arg({ type: NewOAuthClient, required: true }) },
      resolve: async (_root, { data }, context) => {
        const input = validateInput(createOAuthClientBody, clientBody(data), 'arguments');
        const created = await services().oauthClients.create(actorOf(context.session), input);
        return {
          clientSecret: created.clientSecret,
          client: await readBack(context, 'OAuthClient', created.row.id),
        };
      },
    }),
    updateOAuthClient: t.field({
      type: OAuthClient,
      nullable: true,
      args: { id: t.arg.id({ required: true }), data: t.arg({ type: OAuthClientChanges, required: true }) },
      resolve: async (_root, { id, data }, context) => {
        const input = validateInput(updateOAuthClientBody, clientBody(data), 'arguments');
        await services().oauthClients.update(actorOf(context.session), String(id), input);
        return readBack(context, 'OAuthClient', String(id));
      },
    }),
    regenerateOAuthClientSecret: t.field({
      type: IssuedOAuthClient,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, context) => {
        const issued = await services().oauthClients.regenerateSecret(actorOf(context.session), String(id));
        return {
          clientSecret: issued.clientSecret,
          client: await readBack(context, 'OAuthClient', issued.row.id),
        };
      },
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
