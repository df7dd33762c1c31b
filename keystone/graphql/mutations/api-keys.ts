import { validateInput } from '../../../core/shared/validation.js';
import { createApiKeyBody, updateApiKeyBody } from '../../../schemas/api-keys.js';
import { actorOf, itemRef, readBack, sent, type Item, type MutationModule } from './common.js';

/** API keys: the key itself is in the create and rotate answers only (the API key service, as REST). */
export const apiKeyMutations: MutationModule = (builder, services) => {
  const ApiKey = itemRef(builder, 'ApiKey');
  const NewApiKey = builder.inputType('NewApiKey', {
    fields: (t) => ({
      name: t.string({ required: true }),
      description: t.string(),
      scopes: t.stringList(),
      roleIds: t.stringList(),
      expiresAt: t.string(),
      userId: t.id(),
    }),
  });
  const ApiKeyChanges = builder.inputType('ApiKeyChanges', {
    fields: (t) => ({
      name: t.string(),
      description: t.string(),
      scopes: t.stringList(),
      roleIds: t.stringList(),
      isActive: t.boolean(),
      expiresAt: t.string(),
    }),
  });
  const IssuedApiKey = builder.objectRef<{ apiKey: Item | null; key: string }>('IssuedApiKey').implement({
    description: 'A new or rotated key: `key` is shown in this answer only',
    fields: (t) => ({
      key: t.exposeString('key'),
      apiKey: t.field({ type: ApiKey, nullable: true, resolve: (r) => r.apiKey }),
    }),
  });

  builder.mutationFields((t) => ({
    createApiKey: t.field({
      type: IssuedApiKey,
      args: { data: t.arg({ type: NewApiKey, required: true }) },
      resolve: async (_root, { data }, context) => {
        const input = validateInput(
          createApiKeyBody,
          sent({
            name: data.name,
            description: data.description ?? undefined,
            scopes: data.scopes ?? undefined,
            role_ids: data.roleIds ?? undefined,
            expires_at: data.expiresAt ?? undefined,
            user_id:
              data.userId === undefined ? undefined : data.userId === null ? null : String(data.userId),
          }),
          'arguments',
        );
        const created = await services().apiKeys.create(actorOf(context.session), input);
        return { key: created.key, apiKey: await readBack(context, 'ApiKey', created.record.id) };
      },
    }),
    updateApiKey: t.field({
      type: ApiKey,
      nullable: true,
      args: { id: t.arg.id({ required: true }), data: t.arg({ type: ApiKeyChanges, required: true }) },
      resolve: async (_root, { id, data }, context) => {
        const input = validateInput(
          updateApiKeyBody,
          sent({
            name: data.name ?? undefined,
            description: data.description,
            scopes: data.scopes ?? undefined,
            role_ids: data.roleIds ?? undefined,
            is_active: data.isActive ?? undefined,
            expires_at: data.expiresAt,
          }),
          'arguments',
        );
        await services().apiKeys.update(actorOf(context.session), String(id), input);
        return readBack(context, 'ApiKey', String(id));
      },
    }),
    rotateApiKey: t.field({
      type: IssuedApiKey,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, context) => {
        const rotated = await services().apiKeys.rotate(actorOf(context.session), String(id));
        return { key: rotated.key, apiKey: await readBack(context, 'ApiKey', rotated.record.id) };
      },
    }),
    deleteApiKey: t.id({
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, { session }) => {
        await services().apiKeys.remove(actorOf(session), String(id));
        return id;
      },
    }),
  }));
};
