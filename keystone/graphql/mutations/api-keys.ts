import { createApiKeyBody, updateApiKeyBody } from '../../../schemas/api-keys.js';
import { schemaInput } from '../schema-args.js';
import { schemaInputType } from '../schema-fields.js';
import { actorOf, itemRef, type Item, type MutationModule } from './common.js';
import { viaService } from './via-service.js';

/** API keys: the key itself is in the create and rotate answers only (the API key service, as REST). */
export const apiKeyMutations: MutationModule = (builder, services) => {
  const ApiKey = itemRef(builder, 'ApiKey');
  const NewApiKey = schemaInputType(builder, 'NewApiKey', createApiKeyBody);
  const ApiKeyChanges = schemaInputType(builder, 'ApiKeyChanges', updateApiKeyBody);
  const IssuedApiKey = builder.objectRef<{ apiKey: Item | null; key: string }>('IssuedApiKey').implement({
    description: 'A new or rotated key: `key` is shown in this answer only',
    fields: (t) => ({
      key: t.exposeString('key'),
      apiKey: t.field({ type: ApiKey, nullable: true, resolve: (r) => r.apiKey }),
    }),
  });
  const issued = (apiKey: Item | null, { key }: { key: string }) => ({ key, apiKey });

  builder.mutationFields((t) => ({
    createApiKey: t.field({
      type: IssuedApiKey,
      args: { data: t.arg({ type: NewApiKey, required: true }) },
      resolve: (_root, { data }, context) =>
        viaService(context, {
          input: () => schemaInput(createApiKeyBody, data),
          run: (actor, input) => services().apiKeys.create(actor, input),
          readBack: ['ApiKey', (created) => created.record.id],
          answer: issued,
        }),
    }),
    updateApiKey: t.field({
      type: ApiKey,
      nullable: true,
      args: { id: t.arg.id({ required: true }), data: t.arg({ type: ApiKeyChanges, required: true }) },
      resolve: (_root, { id, data }, context) =>
        viaService(context, {
          input: () => schemaInput(updateApiKeyBody, data),
          run: (actor, input) => services().apiKeys.update(actor, String(id), input),
          readBack: ['ApiKey', () => String(id)],
        }),
    }),
    rotateApiKey: t.field({
      type: IssuedApiKey,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, context) =>
        viaService(context, {
          run: (actor) => services().apiKeys.rotate(actor, String(id)),
          readBack: ['ApiKey', (rotated) => rotated.record.id],
          answer: issued,
        }),
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
