import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { restBody, schemaInput } from '../../keystone/graphql/schema-args.js';
import { schemaFields } from '../../keystone/graphql/schema-fields.js';
import { createOAuthClientBody } from '../../schemas/oauth-clients.js';
import { updateRoleBody } from '../../schemas/rbac.js';

const body = z.strictObject({
  display_name: z.string().optional(),
  note: z.string().max(10).nullable().optional(),
  owner_id: z.uuid().nullable().optional(),
  tags: z.array(z.enum(['a', 'b'])).default([]),
  sort_order: z.number().int().default(0),
  payload: z.json(),
  expires_at: z.string().transform((s) => new Date(s)),
});

describe('GraphQL inputs derived from the REST schemas', () => {
  it('maps camelCase arguments to the schema keys, and only those', () => {
    expect(restBody(body, { displayName: 'x', sortOrder: 3, ...{ id: 'not a schema key' } })).toEqual({
      display_name: 'x',
      sort_order: 3,
    });
  });

  it('passes null on where the schema takes null, and treats it as omitted elsewhere', () => {
    expect(restBody(body, { displayName: null, note: null, ownerId: null, tags: null })).toEqual({
      note: null,
      owner_id: null,
    });
    expect(restBody(updateRoleBody, { name: null, description: null })).toEqual({ description: null });
  });

  it('validates with the schema, naming the snake_case field', () => {
    expect(() => schemaInput(updateRoleBody, { description: 'x'.repeat(501) })).toThrow(
      expect.objectContaining({
        details: { fields: [expect.objectContaining({ in: 'arguments', field: 'description' })] },
      }),
    );
  });

  it('derives each field: camelCase name, GraphQL type of the input side, required where a value is needed', () => {
    expect(schemaFields(body, (o) => o)).toEqual({
      displayName: { type: 'String', required: false },
      note: { type: 'String', required: false },
      ownerId: { type: 'ID', required: false },
      tags: { type: ['String'], required: false },
      sortOrder: { type: 'Int', required: false },
      payload: { type: 'JSON', required: true },
      expiresAt: { type: 'String', required: true },
    });
  });

  it('offers a key added to the schema, unless it is left out by name', () => {
    const fields = schemaFields(createOAuthClientBody, (o) => o, {
      omit: ['backchannel_logout_uri', 'is_first_party'],
      descriptions: { name: 'Shown on the consent page' },
    });
    expect(Object.keys(fields)).toEqual([
      'name',
      'description',
      'logoUrl',
      'redirectUris',
      'postLogoutRedirectUris',
      'grantTypes',
      'scopes',
      'isActive',
      'tokenEndpointAuthMethod',
      'userId',
    ]);
    expect(fields.name).toEqual({ type: 'String', required: true, description: 'Shown on the consent page' });
    expect(fields.redirectUris).toEqual({ type: ['String'], required: true });
  });
});
