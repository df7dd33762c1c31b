import { list } from '@keystone-6/core';
import { relationship } from '@keystone-6/core/fields';
import { READ_ONLY, allOrOwn, readOwnOrAll, signedIn } from '../access.js';
import { createdAt, flag, optionalText, requiredText, secret, textArray, updatedAt } from '../fields.js';
import { dbUuid, dropIndex, fixups, optionalRelation, requiredRelation, unique } from '../prisma-fixups.js';

/**
 * OAuth clients and the consents users gave them. client_secret is not a field; creating a client
 * (which mints a secret shown once) and regenerating its secret belong to the OIDC issue's service.
 */
export const oauthLists = {
  OAuthClient: list({
    graphql: READ_ONLY,
    db: { map: 'OAuthClient', extendPrismaSchema: fixups(dbUuid, optionalRelation('owner', 'SetNull')) },
    access: {
      operation: { query: signedIn, create: () => false, update: signedIn, delete: signedIn },
      filter: {
        query: allOrOwn('oauth_clients', 'read', 'owner'),
        update: allOrOwn('oauth_clients', 'update', 'owner'),
        delete: allOrOwn('oauth_clients', 'delete', 'owner'),
      },
    },
    fields: {
      clientId: requiredText('client_id', {
        isIndexed: 'unique',
        graphql: { omit: { create: true, update: true } },
      }),
      clientSecret: secret('client_secret', { nullable: true }),
      name: requiredText('name'),
      description: optionalText('description'),
      logoUrl: optionalText('logo_url'),
      redirectUris: textArray('redirect_uris', { dbDefault: '[]' }),
      postLogoutRedirectUris: textArray('post_logout_redirect_uris', { dbDefault: '[]' }),
      backchannelLogoutUri: optionalText('backchannel_logout_uri'),
      grantTypes: textArray('grant_types', { dbDefault: '["authorization_code", "refresh_token"]' }),
      scopes: textArray('scopes', { dbDefault: '["openid", "profile", "email"]' }),
      tokenEndpointAuthMethod: requiredText('token_endpoint_auth_method', {
        defaultValue: 'client_secret_basic',
      }),
      isFirstParty: flag('is_first_party', false),
      isActive: flag('is_active', true),
      owner: relationship({
        ref: 'User',
        db: { foreignKey: { map: 'user_id' } },
        graphql: { omit: { update: true } },
      }),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
      consents: relationship({ ref: 'OAuthConsent.client', many: true }),
    },
  }),

  OAuthConsent: list({
    graphql: READ_ONLY,
    db: {
      map: 'OAuthConsent',
      extendPrismaSchema: fixups(
        dbUuid,
        requiredRelation('user'),
        requiredRelation('client'),
        unique('userId', 'clientId'),
        dropIndex('userId'),
      ),
    },
    // Consents are given in the sign-in flow and revoked from connected apps (the OIDC issues), never edited here.
    access: readOwnOrAll('users', 'user'),
    fields: {
      user: relationship({ ref: 'User', db: { foreignKey: { map: 'user_id' } } }),
      client: relationship({ ref: 'OAuthClient.consents', db: { foreignKey: { map: 'client_id' } } }),
      scopes: textArray('scopes', { dbDefault: '[]' }),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
  }),
};
