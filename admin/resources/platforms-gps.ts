import type { ActionRequest, PageContext } from 'adminjs';
import { requirePermission } from '../../core/auth/guards.js';
import type { GpsService } from '../../core/gps/service.js';
import type { PlatformService } from '../../core/platforms/service.js';
import type { GpsDataRecord } from '../../schemas/gps.js';
import type { PlatformRecord } from '../../schemas/platforms.js';
import { builtInActions, formAction, onlyWith } from './actions.js';
import { createCursorPager } from './cursor-pages.js';
import { requireActor, ServiceResource, type ResourceBackend } from './service-resource.js';

/** Sign-in platforms: which are offered on the sign-in pages, switched by settings:write. */
function platformsBackend(platforms: PlatformService): ResourceBackend<PlatformRecord> {
  return {
    id: 'Platforms',
    properties: [
      { path: 'id', isId: true },
      { path: 'name', isTitle: true },
      { path: 'enabled', type: 'boolean' },
      { path: 'display_order', type: 'number' },
      { path: 'updated_at', type: 'datetime' },
    ],
    toParams: (p) => ({ ...p }),
    async list(actor, query) {
      requirePermission(actor.auth, 'settings', 'read');
      const all = await platforms.list();
      return { rows: all.slice(query.offset, query.offset + query.limit), total: all.length };
    },
    async get(actor, id) {
      requirePermission(actor.auth, 'settings', 'read');
      return (await platforms.list()).find((p) => p.id === id);
    },
  };
}

export function platformsResource(services: { platforms: PlatformService }) {
  const { platforms } = services;
  return {
    resource: new ServiceResource(platformsBackend(platforms)),
    options: {
      navigation: { name: 'platform', icon: 'LogIn' },
      listProperties: ['name', 'id', 'enabled', 'display_order'],
      filterProperties: [],
      actions: {
        ...builtInActions('settings'),
        toggle: formAction({
          actionType: 'record',
          icon: 'ToggleRight',
          permission: ['settings', 'write'],
          intro: 'togglePlatformIntro',
          fields: () => [{ name: 'enabled', type: 'checkbox', fromRecord: true }],
          async run(actor, payload, record) {
            const enabled = payload.enabled === true || payload.enabled === 'true';
            await platforms.setEnabled(actor, String(record!.id()), enabled);
            return { message: enabled ? 'platformEnabled' : 'platformDisabled', then: 'list' };
          },
        }),
      },
    },
  };
}

/** GPS points, newest first, a page at a time by keyset; deleted one by one (gps:delete). */
function gpsBackend(gps: GpsService): ResourceBackend<GpsDataRecord> {
  const pageAt = createCursorPager();
  return {
    id: 'Gps',
    properties: [
      { path: 'id', isId: true },
      { path: 'timestamp', type: 'datetime' },
      { path: 'latitude', type: 'float' },
      { path: 'longitude', type: 'float' },
      { path: 'altitude', type: 'float' },
      { path: 'speed', type: 'float' },
      { path: 'created_at', type: 'datetime' },
    ],
    toParams: (p) => ({ ...p }),
    async list(actor, query) {
      requirePermission(actor.auth, 'gps', 'read');
      const range = typeof query.filters.timestamp === 'object' ? query.filters.timestamp : {};
      const filters = {
        ...(range.from ? { from: new Date(range.from).toISOString() } : {}),
        ...(range.to ? { to: new Date(range.to).toISOString() } : {}),
      };
      const view = `${actor.auth.user?.id}|${query.limit}|${JSON.stringify(filters)}`;
      return pageAt(view, query.offset, query.limit, (cursor) =>
        gps.list({ ...filters, limit: query.limit, ...(cursor ? { cursor } : {}) }),
      );
    },
    async get(actor, id) {
      requirePermission(actor.auth, 'gps', 'read');
      return gps.get(id);
    },
  };
}

export function gpsResource(services: { gps: GpsService }) {
  const { gps } = services;
  return {
    resource: new ServiceResource(gpsBackend(gps)),
    options: {
      navigation: { name: 'platform', icon: 'MapPin' },
      listProperties: ['timestamp', 'latitude', 'longitude', 'altitude', 'speed'],
      filterProperties: ['timestamp'],
      actions: {
        ...builtInActions('gps'),
        deletePoint: formAction({
          actionType: 'record',
          icon: 'Trash2',
          permission: ['gps', 'delete'],
          variant: 'danger',
          intro: 'deletePointIntro',
          async run(actor, _payload, record) {
            await gps.remove(actor, String(record!.id()));
            return { message: 'pointDeleted', then: 'list' };
          },
        }),
      },
    },
  };
}

/** The GPS map page: the newest points (gps:read), drawn by the GpsMap component. */
export function gpsMapPage(deps: { gps: GpsService; tileUrl: string }) {
  return {
    component: 'GpsMap',
    icon: 'Map',
    ...onlyWith('gps', 'read'),
    handler: async (request: ActionRequest, _response: unknown, context: PageContext) => {
      const actor = requireActor(context);
      requirePermission(actor.auth, 'gps', 'read');
      const limit = Number((request.query as Record<string, unknown> | undefined)?.limit ?? 500);
      return { points: await deps.gps.recent(limit), tileUrl: deps.tileUrl || null };
    },
  };
}
