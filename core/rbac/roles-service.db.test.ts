import { beforeAll, describe, expect, it } from '@jest/globals';
import { createUser } from '../../test/support/fixtures.js';
import { useCoreServices } from '../../test/support/core-services.js';
import { uniqueName } from '../../test/support/services.js';
import type { AuthCache, AuthInvalidation } from '../auth/auth-cache.js';
import type { AppError } from '../errors/index.js';
import { createRoleService, permissionSetVersion, type RoleService } from './roles-service.js';

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (err: AppError) => ({ code: err.code, status: err.status, details: err.details }),
  );

describe('a role’s permission set, replaced at once against the version read', () => {
  const t = useCoreServices();
  const invalidations: AuthInvalidation[] = [];
  let service: RoleService;
  const superAdmin = () => t.actor(['*:*']);
  const permissionsOf = async (roleId: string) =>
    (await t.db('RolePermission').where({ role_id: roleId }).orderBy('permission_id')).map(
      (r: { permission_id: string }) => r.permission_id,
    );
  async function role(permissions: string[]): Promise<string> {
    const id = uniqueName('role_t').toLowerCase();
    await t.db('Role').insert({ id, name: id });
    if (permissions.length)
      await t
        .db('RolePermission')
        .insert(permissions.map((permission_id) => ({ role_id: id, permission_id })));
    return id;
  }

  beforeAll(() => {
    const authCache = { invalidate: async (e: AuthInvalidation) => void invalidations.push(e) };
    service = createRoleService({ db: t.db, audit: t.audit, authCache: authCache as unknown as AuthCache });
  });

  it('replaces the set, records what was added and removed, and answers the new version', async () => {
    const id = await role(['gps:read', 'users:read']);
    const read = await service.permissionSet(id);
    expect(read).toEqual({
      permission_ids: ['gps:read', 'users:read'],
      version: permissionSetVersion(['users:read', 'gps:read']),
    });
    const actor = superAdmin();
    invalidations.length = 0;
    const next = await service.setPermissions(
      actor,
      id,
      ['users:read', 'gps:write', 'gps:delete'],
      read.version,
    );
    expect(next).toEqual({
      permission_ids: ['gps:delete', 'gps:write', 'users:read'],
      version: permissionSetVersion(['gps:delete', 'gps:write', 'users:read']),
    });
    expect(await permissionsOf(id)).toEqual(next.permission_ids);
    expect(invalidations).toEqual([{ type: 'all' }]);
    const [event] = await t.events('permission_changed', id);
    expect(event).toMatchObject({
      resource_type: 'role',
      actor_id: actor.auth.user!.id,
      source_service: 'admin',
      metadata: { action: 'permissions_set', added: ['gps:delete', 'gps:write'], removed: ['gps:read'] },
    });
    // The same set again: nothing changes, nothing is recorded, the version stays.
    expect(await service.setPermissions(actor, id, [...next.permission_ids].reverse(), next.version)).toEqual(
      next,
    );
    expect(await t.events('permission_changed', id)).toHaveLength(1);
  });

  it('refuses a change made on a stale read with 409 role.conflict, changing nothing', async () => {
    const id = await role(['gps:read']);
    const first = await service.permissionSet(id);
    await service.setPermissions(superAdmin(), id, ['gps:read', 'gps:write'], first.version);
    const second = await refusal(service.setPermissions(superAdmin(), id, ['users:read'], first.version));
    expect(second).toEqual({
      code: 'role.conflict',
      status: 409,
      details: { version: permissionSetVersion(['gps:read', 'gps:write']) },
    });
    expect(await permissionsOf(id)).toEqual(['gps:read', 'gps:write']);
    // A change through the one-permission routes moves the version too.
    const now = await service.permissionSet(id);
    await service.addPermission(superAdmin(), id, 'users:read');
    expect(await refusal(service.setPermissions(superAdmin(), id, [], now.version))).toMatchObject({
      code: 'role.conflict',
    });
  });

  it('lets exactly one of several concurrent edits of the same read through', async () => {
    const id = await role(['gps:read']);
    const { version } = await service.permissionSet(id);
    const edits = [['users:read'], ['gps:write'], ['gps:delete', 'gps:read'], []];
    const results = await Promise.allSettled(
      edits.map((ids) => service.setPermissions(superAdmin(), id, ids, version)),
    );
    const done = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
      permission_ids: string[];
    }>[];
    expect(done).toHaveLength(1);
    expect(
      (results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]).map(
        (r) => (r.reason as AppError).code,
      ),
    ).toEqual(['role.conflict', 'role.conflict', 'role.conflict']);
    expect(await permissionsOf(id)).toEqual(done[0]!.value.permission_ids);
  });

  it('applies the guards of adding and removing, changing nothing when one refuses', async () => {
    const id = await role(['gps:read']);
    const { version } = await service.permissionSet(id);
    const cases: [() => Promise<unknown>, { code: string; status: number }][] = [
      [
        () => service.setPermissions(superAdmin(), id, ['nope:nope'], version),
        { code: 'permission.not_found', status: 422 },
      ],
      [
        () =>
          service.setPermissions(
            t.actor(['roles:write', 'gps:read']),
            id,
            ['gps:read', 'users:delete'],
            version,
          ),
        { code: 'auth.escalation_denied', status: 403 },
      ],
      [
        () => service.setPermissions(superAdmin(), 'role_moderator', [], 'x'),
        { code: 'role.conflict', status: 409 },
      ],
      [
        () =>
          service.setPermissions(
            t.actor(['*:*'], { ownerCap: { permissions: ['roles:write'], isSuperAdmin: false } }),
            'role_moderator',
            [],
            'x',
          ),
        { code: 'role.system_role', status: 403 },
      ],
      [
        () => service.setPermissions(t.actor(['roles:read']), id, [], version),
        { code: 'auth.forbidden', status: 403 },
      ],
      [
        () => service.setPermissions(superAdmin(), 'role_missing', [], version),
        { code: 'role.not_found', status: 404 },
      ],
      [
        () => service.setPermissions(superAdmin(), id, ['Not A Permission'], version),
        { code: 'request.validation_failed', status: 400 },
      ],
      [
        () =>
          service.setPermissions(
            superAdmin(),
            id,
            Array.from({ length: 201 }, (_, i) => `gps:a${i}`),
            version,
          ),
        { code: 'request.validation_failed', status: 400 },
      ],
      [
        () => service.setPermissions(superAdmin(), id, [], ''),
        { code: 'request.validation_failed', status: 400 },
      ],
    ];
    for (const [work, expected] of cases) expect(await refusal(work())).toMatchObject(expected);
    expect(await permissionsOf(id)).toEqual(['gps:read']);
    // Holding what is added is enough; removing needs no more than roles:write.
    const next = await service.setPermissions(
      t.actor(['roles:write', 'users:read']),
      id,
      ['users:read'],
      version,
    );
    expect(next.permission_ids).toEqual(['users:read']);
  });

  it('keeps the last super admin', async () => {
    const id = await role(['*:*']);
    await createUser(t.db, { roleIds: [id] });
    const { version } = await service.permissionSet(id);
    expect(await refusal(service.setPermissions(superAdmin(), id, ['gps:read'], version))).toMatchObject({
      code: 'user.last_super_admin',
      status: 409,
    });
    expect(await permissionsOf(id)).toEqual(['*:*']);
  });
});
