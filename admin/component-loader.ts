import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { packageRoot } from '../core/shared/version.js';

/**
 * The panel's React components, bundled for the browser by `npm run build` (admin/build-assets.ts). The loader
 * only names them at run time: the sources sit in `admin/components/` of the package (the files' paths are
 * what AdminJS keys them by), and the browser gets the prebuilt bundle.
 */
const source = (name: string) => path.join(packageRoot(), 'admin', 'components', `${name}.tsx`);

export function createComponentLoader() {
  const loader = new ComponentLoader();
  loader.override('Login', source('login'));
  const components = {
    Dashboard: loader.add('Dashboard', source('dashboard')),
    ActionForm: loader.add('ActionForm', source('action-form')),
    UserShow: loader.add('UserShow', source('user-show')),
    PermissionMatrix: loader.add('PermissionMatrix', source('permission-matrix')),
    ExplainPage: loader.add('ExplainPage', source('explain-page')),
    AuditExport: loader.add('AuditExport', source('audit-export')),
    GpsMap: loader.add('GpsMap', source('gps-map')),
  };
  return { loader, components };
}

export type PanelComponents = ReturnType<typeof createComponentLoader>['components'];
