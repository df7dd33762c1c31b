import { accessControlLists } from './access-control.js';
import { dataLists } from './data.js';
import { identityLists } from './identity.js';
import { oauthLists } from './oauth.js';

import type { ExtensionServices } from '../graphql/builder.js';

/** Every Keystone list, each mapped onto a table the knex migrations created. */
export const buildLists = (runtime: () => ExtensionServices) => ({
  ...identityLists(runtime),
  ...accessControlLists,
  ...oauthLists,
  ...dataLists(runtime),
});
