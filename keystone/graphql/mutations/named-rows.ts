import { z } from 'zod';
import { AppError } from '../../../core/errors/index.js';
import { platformIdSchema } from '../../../schemas/platforms.js';
import { recordChange } from '../../lists/audited.js';
import { schemaInput } from '../schema-args.js';
import { schemaFields } from '../schema-fields.js';
import { itemRef, type Item, type MutationModule } from './common.js';
import { viaService } from './via-service.js';

interface Prisma {
  platform: { create(args: { data: Record<string, unknown> }): Promise<Item> };
}

/** Creates a row keyed by a chosen name; a taken name is 409 `<what>.exists`. */
async function createNamed(what: string, create: () => Promise<Item>): Promise<Item> {
  try {
    return await create();
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      throw new AppError(`${what}.exists`, 409, `A ${what} with this id already exists.`);
    }
    throw err;
  }
}

const newSetting = z.strictObject({
  id: z.string().max(100).describe('The key: one of the registry (docs/admin.md), or custom.<name>'),
  value: z.json(),
  is_public: z.boolean().optional().describe('custom.* keys only; known keys are as the registry says'),
});
const newPlatform = z.strictObject({
  id: platformIdSchema,
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  display_order: z.number().int().min(0).max(10_000).default(0),
});

/** Settings and platforms, keyed by a name the caller chooses (Keystone's string ids have no create input). */
export const namedRowMutations: MutationModule = (builder, services) => {
  const Setting = itemRef(builder, 'Setting');
  const Platform = itemRef(builder, 'Platform');
  const prismaOf = (context: unknown) => (context as { prisma: Prisma }).prisma;

  builder.mutationFields((t) => ({
    createSetting: t.field({
      type: Setting,
      nullable: true,
      description:
        'Sets a setting that is not set yet: a key of the registry, or custom.<name> (settings:write)',
      args: schemaFields(newSetting, (o) => t.arg(o)),
      resolve: (_root, args, context) =>
        viaService(context, {
          permission: ['settings', 'write'],
          input: () => schemaInput(newSetting, args),
          // The settings service's rules (key, type, visibility, size); a key already set is 409 setting.conflict.
          run: async (actor, input) => {
            const setting = await services().settings.set(actor, input.id, input.value, {
              isPublic: input.is_public,
              expectedUpdatedAt: null,
            });
            return { id: setting.key };
          },
          readBack: ['Setting', (row) => row.id],
        }),
    }),
    createPlatform: t.field({
      type: Platform,
      nullable: true,
      description: 'A sign-in platform (settings:write)',
      args: schemaFields(newPlatform, (o) => t.arg(o)),
      resolve: (_root, args, context) =>
        viaService(context, {
          permission: ['settings', 'write'],
          input: () => schemaInput(newPlatform, args),
          run: async (_actor, input) => {
            const row = await createNamed('platform', () =>
              prismaOf(context).platform.create({
                data: {
                  id: input.id,
                  name: input.name,
                  enabled: input.enabled,
                  displayOrder: input.display_order,
                },
              }),
            );
            recordChange(services, context.session, {
              eventType: 'platform_changed',
              resourceType: 'platform',
              id: row.id,
              operation: 'create',
            });
            return row;
          },
          readBack: ['Platform', (row) => row.id],
        }),
    }),
  }));
};
