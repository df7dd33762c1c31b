import { validateInput } from '../../../core/shared/validation.js';
import { createPermissionBody, createRoleBody, updateRoleBody } from '../../../schemas/rbac.js';
import { actorOf, itemRef, readBack, sent, type MutationModule } from './common.js';

/** Roles and permissions (the role and permission services, as REST). */
export const accessControlMutations: MutationModule = (builder, services) => {
  const Role = itemRef(builder, 'Role');
  const Permission = itemRef(builder, 'Permission');
  const NewRole = builder.inputType('NewRole', {
    fields: (t) => ({
      id: t.string({ description: 'role_… (derived from the name when omitted)' }),
      name: t.string({ required: true }),
      description: t.string(),
      requiresTwoFactor: t.boolean(),
      permissionIds: t.stringList(),
    }),
  });
  const RoleChanges = builder.inputType('RoleChanges', {
    fields: (t) => ({ name: t.string(), description: t.string(), requiresTwoFactor: t.boolean() }),
  });
  const NewPermission = builder.inputType('NewPermission', {
    fields: (t) => ({
      resource: t.string({ required: true }),
      action: t.string({ required: true }),
      description: t.string(),
      adminOnly: t.boolean(),
      displayOrder: t.int(),
    }),
  });

  builder.mutationFields((t) => ({
    createRole: t.field({
      type: Role,
      nullable: true,
      args: { data: t.arg({ type: NewRole, required: true }) },
      resolve: async (_root, { data }, context) => {
        const input = validateInput(
          createRoleBody,
          sent({
            id: data.id ?? undefined,
            name: data.name,
            description: data.description ?? undefined,
            requires_two_factor: data.requiresTwoFactor ?? undefined,
            permission_ids: data.permissionIds ?? undefined,
          }),
          'arguments',
        );
        const role = await services().roles.create(actorOf(context.session), input);
        return readBack(context, 'Role', role.id);
      },
    }),
    updateRole: t.field({
      type: Role,
      nullable: true,
      args: { id: t.arg.id({ required: true }), data: t.arg({ type: RoleChanges, required: true }) },
      resolve: async (_root, { id, data }, context) => {
        const input = validateInput(
          updateRoleBody,
          sent({
            name: data.name ?? undefined,
            description: data.description,
            requires_two_factor: data.requiresTwoFactor ?? undefined,
          }),
          'arguments',
        );
        await services().roles.update(actorOf(context.session), String(id), input);
        return readBack(context, 'Role', String(id));
      },
    }),
    deleteRole: t.id({
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, { session }) => {
        await services().roles.remove(actorOf(session), String(id));
        return id;
      },
    }),
    addRolePermission: t.field({
      type: Role,
      nullable: true,
      args: { roleId: t.arg.id({ required: true }), permissionId: t.arg.id({ required: true }) },
      resolve: async (_root, { roleId, permissionId }, context) => {
        await services().roles.addPermission(actorOf(context.session), String(roleId), String(permissionId));
        return readBack(context, 'Role', String(roleId));
      },
    }),
    removeRolePermission: t.field({
      type: Role,
      nullable: true,
      args: { roleId: t.arg.id({ required: true }), permissionId: t.arg.id({ required: true }) },
      resolve: async (_root, { roleId, permissionId }, context) => {
        await services().roles.removePermission(
          actorOf(context.session),
          String(roleId),
          String(permissionId),
        );
        return readBack(context, 'Role', String(roleId));
      },
    }),
    createPermission: t.field({
      type: Permission,
      nullable: true,
      args: { data: t.arg({ type: NewPermission, required: true }) },
      resolve: async (_root, { data }, context) => {
        const input = validateInput(
          createPermissionBody,
          sent({
            resource: data.resource,
            action: data.action,
            description: data.description ?? undefined,
            admin_only: data.adminOnly ?? undefined,
            display_order: data.displayOrder ?? undefined,
          }),
          'arguments',
        );
        const permission = await services().permissions.create(actorOf(context.session), input);
        return readBack(context, 'Permission', permission.id);
      },
    }),
    deletePermission: t.id({
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, { session }) => {
        await services().permissions.remove(actorOf(session), String(id));
        return id;
      },
    }),
  }));
};
