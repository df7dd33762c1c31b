import type { Migration } from '../types.js';

/**
 * DataExportLog (fixed columns) and the tables designed here: UserTwoFactor, TwoFactorBackupCode, Setting,
 * GpsData. Their design is documented in docs/database.md.
 */
export const accountData: Migration = {
  name: '0004_account_data',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "DataExportLog" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        exported_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        ip_address INET,
        user_agent TEXT,
        export_format VARCHAR(50) NOT NULL DEFAULT 'zip',
        file_size_bytes BIGINT,
        locale VARCHAR(10),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "DataExportLog_user_id_exported_at_idx" ON "DataExportLog" (user_id, exported_at DESC);

      -- One TOTP enrolment per user. The seed is encrypted (AES-256-GCM, key from config), never stored in clear.
      -- last_used_step is the RFC 6238 time step of the last accepted code: a code is accepted at most once.
      CREATE TABLE "UserTwoFactor" (
        user_id UUID PRIMARY KEY REFERENCES "User"(id) ON DELETE CASCADE,
        secret_encrypted TEXT NOT NULL,
        enabled BOOLEAN NOT NULL DEFAULT false,
        enabled_at TIMESTAMPTZ,
        last_used_step BIGINT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        CHECK (enabled = (enabled_at IS NOT NULL))
      );
      CREATE TRIGGER "UserTwoFactor_touch" BEFORE UPDATE ON "UserTwoFactor" FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();

      -- Ten single-use codes per user, stored hashed; used_at marks a spent code.
      CREATE TABLE "TwoFactorBackupCode" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL,
        used_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (user_id, code_hash)
      );
      CREATE INDEX "TwoFactorBackupCode_user_id_idx" ON "TwoFactorBackupCode" (user_id);

      CREATE TABLE "Setting" (
        key TEXT PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9_.-]*$'),
        value JSONB NOT NULL,
        is_public BOOLEAN NOT NULL DEFAULT false,
        description TEXT,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "Setting_is_public_idx" ON "Setting" (key) WHERE is_public;
      CREATE TRIGGER "Setting_touch" BEFORE UPDATE ON "Setting" FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();

      -- GPS data: a position fix. timestamp is when it was measured, created_at when it arrived.
      CREATE TABLE "GpsData" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        latitude DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90),
        longitude DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180),
        altitude DOUBLE PRECISION,
        speed DOUBLE PRECISION CHECK (speed >= 0),
        timestamp TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "GpsData_timestamp_idx" ON "GpsData" (timestamp DESC);
    `);
  },
  async down(knex) {
    await knex.raw(
      `DROP TABLE "GpsData", "Setting", "TwoFactorBackupCode", "UserTwoFactor", "DataExportLog";`,
    );
  },
};
