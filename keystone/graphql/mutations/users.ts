import { validateInput } from '../../../core/shared/validation.js';
import { banUserBody, updateUserBody } from '../../../schemas/users.js';
import { actorOf, itemRef, readBack, sent, type MutationModule } from './common.js';

/** Users: change, delete, give and take roles, ban (the user service, as REST). */
export const userMutations: MutationModule = (builder, services) => {
  const User = itemRef(builder, 'User');
  const UserChanges = builder.inputType('UserChanges', {
    fields: (t) => ({
      username: t.string(),
      preferredLocale: t.string(),
      privacyMode: t.boolean(),
    }),
  });

  builder.mutationFields((t) => ({
    updateUser: t.field({
      type: User,
      nullable: true,
      args: { id: t.arg.id({ required: true }), data: t.arg({ type: UserChanges, required: true }) },
      resolve: async (_root, { id, data }, context) => {
        const input = validateInput(
          updateUserBody,
          sent({
            username: data.username,
            preferred_locale: data.preferredLocale,
            privacy_mode: data.privacyMode,
          }),
          'arguments',
        );
        await services().users.update(actorOf(context.session), String(id), input);
        return readBack(context, 'User', String(id));
      },
    }),
    deleteUser: t.id({
      description: 'Deletes the user (their keys stop working at once); answers the id',
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, { session }) => {
        await services().users.remove(actorOf(session), String(id));
        return id;
      },
    }),
    assignRole: t.field({
      type: User,
      nullable: true,
      args: { userId: t.arg.id({ required: true }), roleId: t.arg.id({ required: true }) },
      resolve: async (_root, { userId, roleId }, context) => {
        await services().users.addRole(actorOf(context.session), String(userId), String(roleId));
        return readBack(context, 'User', String(userId));
      },
    }),
    removeRole: t.field({
      type: User,
      nullable: true,
      args: { userId: t.arg.id({ required: true }), roleId: t.arg.id({ required: true }) },
      resolve: async (_root, { userId, roleId }, context) => {
        await services().users.removeRole(actorOf(context.session), String(userId), String(roleId));
        return readBack(context, 'User', String(userId));
      },
    }),
    banUser: t.field({
      type: User,
      nullable: true,
      args: {
        id: t.arg.id({ required: true }),
        reason: t.arg.string({ required: true }),
        expiresAt: t.arg.string(),
      },
      resolve: async (_root, { id, reason, expiresAt }, context) => {
        const input = validateInput(
          banUserBody,
          sent({ reason, expires_at: expiresAt ?? undefined }),
          'arguments',
        );
        await services().users.ban(actorOf(context.session), String(id), input);
        return readBack(context, 'User', String(id));
      },
    }),
    unbanUser: t.field({
      type: User,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, context) => {
        await services().users.unban(actorOf(context.session), String(id));
        return readBack(context, 'User', String(id));
      },
    }),
  }));
};
