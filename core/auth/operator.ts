import { ROLE_IDS } from '../../schemas/roles.js';
import { ANONYMOUS, createAuthContext, type AuthContext } from './context.js';

/**
 * The operator at the command line (`heimdall create-api-key`, …): whoever can run the CLI against the
 * database already holds everything, so CLI commands act as a super admin with no user behind them.
 */
export const operatorContext = (): AuthContext =>
  createAuthContext({
    ...ANONYMOUS,
    roles: ['Super Admin'],
    roleIds: [ROLE_IDS.superAdmin],
    permissions: ['*:*'],
    scopes: ['*'],
  });
