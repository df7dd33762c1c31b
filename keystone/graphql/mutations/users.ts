import type { Actor } from '../../../core/shared/actor.js';
import { banUserBody, privacyModeBody, updateUserBody } from '../../../schemas/users.js';
import { schemaInput } from '../schema-args.js';
import { schemaFields, schemaInputType } from '../schema-fields.js';
import { actorOf, itemRef, type MutationModule } from './common.js';
import { viaService } from './via-service.js';

/** Users: change, delete, give and take roles, ban (the user service, as REST). */
export const userMutations: MutationModule = (builder, services) => {
  const User = itemRef(builder, 'User');
  const UserChanges = schemaInputType(builder, 'UserChanges', updateUserBody);

  builder.mutationFields((t) => {
    /** Gives a user a role or takes one away (both ids required); answers the user. */
    const userRole = (change: (actor: Actor, userId: string, roleId: string) => Promise<unknown>) =>
      t.field({
        type: User,
        nullable: true,
        args: { userId: t.arg.id({ required: true }), roleId: t.arg.id({ required: true }) },
        resolve: (_root, { userId, roleId }, context) =>
          viaService(context, {
            run: (actor) => change(actor, String(userId), String(roleId)),
            readBack: ['User', () => String(userId)],
          }),
      });
    return {
      updateUser: t.field({
        type: User,
        nullable: true,
        args: { id: t.arg.id({ required: true }), data: t.arg({ type: UserChanges, required: true }) },
        resolve: (_root, { id, data }, context) =>
          viaService(context, {
            input: () => schemaInput(updateUserBody, data),
            run: (actor, input) => services().users.update(actor, String(id), input),
            readBack: ['User', () => String(id)],
          }),
      }),
      setPrivacyMode: t.field({
        type: User,
        nullable: true,
        description:
          'Turns your privacy mode on or off (PATCH /v1/user/privacy); answers you. On: people and apps without users:read no longer see your email, picture or activity',
        args: schemaFields(privacyModeBody, (o) => t.arg(o)),
        resolve: (_root, args, context) =>
          viaService(context, {
            input: () => schemaInput(privacyModeBody, args),
            run: (actor, input) => services().users.setPrivacyMode(actor, input.privacy_mode),
            readBack: ['User', (user) => user.id],
          }),
      }),
      deleteUser: t.id({
        description: 'Deletes the user (their keys stop working at once); answers the id',
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().users.remove(actorOf(session), String(id));
          return id;
        },
      }),
      assignRole: userRole((actor, userId, roleId) => services().users.addRole(actor, userId, roleId)),
      removeRole: userRole((actor, userId, roleId) => services().users.removeRole(actor, userId, roleId)),
      banUser: t.field({
        type: User,
        nullable: true,
        args: {
          id: t.arg.id({ required: true }),
          ...schemaFields(banUserBody, (o) => t.arg(o)),
        },
        resolve: (_root, { id, ...args }, context) =>
          viaService(context, {
            input: () => schemaInput(banUserBody, args),
            run: (actor, input) => services().users.ban(actor, String(id), input),
            readBack: ['User', () => String(id)],
          }),
      }),
      unbanUser: t.field({
        type: User,
        nullable: true,
        args: { id: t.arg.id({ required: true }) },
        resolve: (_root, { id }, context) =>
          viaService(context, {
            run: (actor) => services().users.unban(actor, String(id)),
            readBack: ['User', () => String(id)],
          }),
      }),
    };
  });
};
