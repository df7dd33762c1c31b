import type { ActionRequest, PageContext } from 'adminjs';
import { AppError } from '../../core/errors/index.js';
import type { GpsService } from '../../core/gps/service.js';
import type { PlatformService } from '../../core/platforms/service.js';
import type { GpsDataRecord } from '../../schemas/gps.js';
import type { PlatformRecord } from '../../schemas/platforms.js';
import { formAction, may } from './actions.js';
import { createCursorPager } from './cursor-pages.js';
import { requireActor, ServiceResource, type ResourceBackend } from './service-resource.js';

const forbidden = (what: string) => new AppError('auth.forbidden', 403, `You may not read ${what}.`);

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
      if (!actor.auth.can('settings', 'read')) throw forbidden('the sign-in platforms');
      const all = await platforms.list();
      return { rows: all.slice(query.offset, query.offset + query.limit), total: all.length };
    },
    async get(actor, id) {
      if (!actor.auth.can('settings', 'read')) throw forbidden('the sign-in platforms');
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
        list: { isAccessible: may('settings', 'read') },
        show: { isAccessible: may('settings', 'read') },
        search: { isAccessible: false, isVisible: false },
        new: { isAccessible: false, isVisible: false },
        edit: { isAccessible: false, isVisible: false },
        delete: { isAccessible: false, isVisible: false },
        bulkDelete: { isAccessible: false, isVisible: false },
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
      if (!actor.auth.can('gps', 'read')) throw forbidden('GPS data');
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
      if (!actor.auth.can('gps', 'read')) throw forbidden('GPS data');
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
        list: { isAccessible: may('gps', 'read') },
        show: { isAccessible: may('gps', 'read') },
        search: { isAccessible: false, isVisible: false },
        new: { isAccessible: false, isVisible: false },
        edit: { isAccessible: false, isVisible: false },
        delete: { isAccessible: false, isVisible: false },
        bulkDelete: { isAccessible: false, isVisible: false },
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
    isAccessible: may('gps', 'read'),
    isVisible: may('gps', 'read'),
    handler: async (request: ActionRequest, _response: unknown, context: PageContext) => {
      const actor = requireActor(context);
      if (!actor.auth.can('gps', 'read')) throw forbidden('GPS data');
      const limit = Number((request.query as Record<string, unknown> | undefined)?.limit ?? 500);
      return { points: await deps.gps.recent(limit), tileUrl: deps.tileUrl || null };
    },
  };
}
