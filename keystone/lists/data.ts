import { list } from '@keystone-6/core';
import { bigInt, float, json, relationship, text } from '@keystone-6/core/fields';
import { NAMED_ROWS, READ_ONLY, byPermission, readOwnOrAll } from '../access.js';
import { createdAt, flag, optionalText, timestamptz } from '../fields.js';
import type { ExtensionServices } from '../graphql/builder.js';
import { AppError } from '../../core/errors/index.js';
import { checkedSettingChange } from '../../core/settings/service.js';
import { auditChanges } from './audited.js';
import { dbUuid, dropIndex, fixups, index, requiredRelation } from '../prisma-fixups.js';

type Runtime = () => ExtensionServices;

interface GpsItem {
  id: string;
  latitude: number;
  longitude: number;
  altitude: number | null;
  speed: number | null;
  timestamp: Date;
}

/** Settings, data-export records and GPS data. GPS changes go out to subscribers. */
export const dataLists = (runtime: Runtime) => {
  const recordGpsChange = auditChanges(runtime, 'gps_data_changed', 'gps_data');
  return {
    Setting: list({
      graphql: NAMED_ROWS,
      // The table's key column is the id (a setting's name, e.g. `site.name`).
      db: {
        map: 'Setting',
        idField: { kind: 'string' },
        extendPrismaSchema: (m) =>
          m.replace(/(\n\s*id\s+String\s+@id)/, '$1 @map("key")').replace(/(\n\s*value\s+Json)\?/, '$1'),
      },
      access: {
        operation: byPermission('settings'),
      },
      hooks: {
        // The same rules as the settings service: a known key's type and visibility, or custom.* JSON.
        validate: {
          update: ({ item, resolvedData, addValidationError }) => {
            try {
              checkedSettingChange(String(item.id), {
                ...(resolvedData.value !== undefined ? { value: resolvedData.value } : {}),
                isPublic: resolvedData.isPublic ?? undefined,
              });
            } catch (err) {
              if (!(err instanceof AppError)) throw err;
              addValidationError(err.message);
            }
          },
        },
        afterOperation: auditChanges(runtime, 'setting_changed', 'setting'),
      },
      fields: {
        value: json({ db: { map: 'value' } }),
        isPublic: flag('is_public', false),
        description: optionalText('description'),
        updatedAt: timestamptz('updated_at', { now: true, readOnly: true }),
      },
    }),

    DataExportLog: list({
      graphql: READ_ONLY,
      db: {
        map: 'DataExportLog',
        extendPrismaSchema: fixups(
          dbUuid,
          requiredRelation('user'),
          dropIndex('userId'),
          index('userId, exportedAt(sort: Desc)'),
        ),
      },
      // Written by the GDPR export itself; read by the person it concerns, or with users:read.
      access: readOwnOrAll('users', 'user'),
      fields: {
        user: relationship({ ref: 'User', db: { foreignKey: { map: 'user_id' } } }),
        exportedAt: timestamptz('exported_at', { now: true, readOnly: true }),
        ipAddress: optionalText('ip_address', { db: { nativeType: 'Inet' } }),
        userAgent: optionalText('user_agent'),
        exportFormat: text({
          db: { map: 'export_format', nativeType: 'VarChar(50)' },
          defaultValue: 'zip',
          validation: { isRequired: true },
        }),
        fileSizeBytes: bigInt({ db: { map: 'file_size_bytes', isNullable: true } }),
        locale: optionalText('locale', { db: { nativeType: 'VarChar(10)' } }),
        createdAt: createdAt(),
      },
    }),

    GpsData: list({
      db: { map: 'GpsData', extendPrismaSchema: fixups(dbUuid, index('timestamp(sort: Desc)')) },
      graphql: { plural: 'GpsDataPoints' },
      access: {
        operation: byPermission('gps'),
      },
      hooks: {
        afterOperation: (args) => {
          recordGpsChange(args);
          const { operation, item } = args;
          if ((operation !== 'create' && operation !== 'update') || !item) return;
          const point = item as unknown as GpsItem;
          runtime().live.publishGps({
            id: point.id,
            operation,
            latitude: point.latitude,
            longitude: point.longitude,
            altitude: point.altitude,
            speed: point.speed,
            timestamp: point.timestamp.toISOString(),
          });
        },
      },
      fields: {
        latitude: float({ db: { map: 'latitude' }, validation: { isRequired: true, min: -90, max: 90 } }),
        longitude: float({ db: { map: 'longitude' }, validation: { isRequired: true, min: -180, max: 180 } }),
        altitude: float({ db: { map: 'altitude', isNullable: true } }),
        speed: float({ db: { map: 'speed', isNullable: true } }),
        timestamp: timestamptz('timestamp'),
        createdAt: createdAt(),
      },
    }),
  };
};
