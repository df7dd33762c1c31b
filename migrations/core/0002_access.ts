import type { Migration } from '../types.js';

/** RBAC and API keys: ApiKey, Role, Permission and the three junction tables, with fixed columns. */
export const access: Migration = {
  name: '0002_access',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "ApiKey" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        key_hash TEXT UNIQUE NOT NULL,
        key_prefix TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        user_id UUID REFERENCES "User"(id) ON DELETE CASCADE,
        scopes TEXT[] NOT NULL DEFAULT '{}',
        is_active BOOLEAN NOT NULL DEFAULT true,
        is_system BOOLEAN NOT NULL DEFAULT false,
        expires_at TIMESTAMPTZ,
        last_used_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "ApiKey_user_id_idx" ON "ApiKey" (user_id);

      CREATE TABLE "Role" (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE NOT NULL,
        description TEXT,
        is_system BOOLEAN NOT NULL DEFAULT false,
        requires_two_factor BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );

      CREATE TABLE "Permission" (
        id TEXT PRIMARY KEY,
        resource TEXT NOT NULL,
        action TEXT NOT NULL,
        description TEXT,
        admin_only BOOLEAN NOT NULL DEFAULT false,
        display_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (resource, action)
      );

      CREATE TABLE "UserRole" (
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        role_id TEXT NOT NULL REFERENCES "Role"(id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (user_id, role_id)
      );
      CREATE INDEX "UserRole_role_id_idx" ON "UserRole" (role_id);

      CREATE TABLE "ApiKeyRole" (
        api_key_id UUID NOT NULL REFERENCES "ApiKey"(id) ON DELETE CASCADE,
        role_id TEXT NOT NULL REFERENCES "Role"(id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (api_key_id, role_id)
      );
      CREATE INDEX "ApiKeyRole_role_id_idx" ON "ApiKeyRole" (role_id);

      CREATE TABLE "RolePermission" (
        role_id TEXT NOT NULL REFERENCES "Role"(id) ON DELETE CASCADE,
        permission_id TEXT NOT NULL REFERENCES "Permission"(id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (role_id, permission_id)
      );
      CREATE INDEX "RolePermission_permission_id_idx" ON "RolePermission" (permission_id);
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "RolePermission", "ApiKeyRole", "UserRole", "Permission", "Role", "ApiKey";`);
  },
};
