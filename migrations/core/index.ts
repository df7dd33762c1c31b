import type { Migration } from '../types.js';
import { identity } from './0001_identity.js';
import { access } from './0002_access.js';
import { oauth } from './0003_oauth.js';
import { accountData } from './0004_account_data.js';
import { seedState } from './0005_seed_state.js';
import { userBan } from './0006_user_ban.js';
import { junctionIds } from './0007_junction_ids.js';
import { oidc } from './0008_oidc.js';
import { oidcUidIndex } from './0009_oidc_uid_index.js';
import { accountTokens } from './0010_account_tokens.js';
import { sessionTwoFactor } from './0011_session_two_factor.js';
import { signingKeyPerAlg } from './0012_signing_key_per_alg.js';
import { oidcShortLivedUnlogged } from './0013_oidc_short_lived_unlogged.js';
import { userSearch } from './0014_user_search.js';
import { platformTokens } from './0015_platform_tokens.js';
import { botWarnings } from './0016_bot_warnings.js';
import { storage } from './0017_storage.js';
import { accountDeletion } from './0018_account_deletion.js';
import { dataExport } from './0019_data_export.js';
import { userAvatar } from './0020_user_avatar.js';

/** The primary database's migrations, in order. Append only: a released migration is never edited. */
export const coreMigrations: readonly Migration[] = [
  identity,
  access,
  oauth,
  accountData,
  seedState,
  userBan,
  junctionIds,
  oidc,
  oidcUidIndex,
  accountTokens,
  sessionTwoFactor,
  signingKeyPerAlg,
  oidcShortLivedUnlogged,
  userSearch,
  platformTokens,
  botWarnings,
  storage,
  accountDeletion,
  dataExport,
  userAvatar,
];
