import { z } from 'zod';
import type { AnyRoute } from '../route.js';

/**
 * The OpenAPI 3.1 document, generated from the same route declarations that validate requests and shape
 * responses, so it cannot drift from what the server does. JSON Schema 2020-12 (what zod emits) is the
 * schema dialect of OpenAPI 3.1, so schemas are used as they come, minus zod's `$schema` marker.
 */
type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
  /** Where the API is served; a relative URL keeps the document valid behind any proxy. */
  serverUrl?: string;
}

const TAGS: Record<string, string> = {
  auth: 'Who the caller is and what they may do',
  users: 'User accounts and their roles',
  'api-keys': 'API keys (`hm_…`): Bearer credentials with scopes and roles',
  roles: 'Roles and the permissions they grant',
  permissions: '`resource:action` permissions',
  settings: 'Platform settings: the keys Heimdall knows, and `custom.*` ones for apps',
  bots: 'What chat bots keep in Heimdall: the warnings their moderators give',
  storage: 'Files: streamed uploads, signed download URLs, metadata',
};

/** Errors every route may answer, by the access it declares. */
const COMMON_ERRORS = {
  validation: { status: 400, code: 'request.validation_failed' },
  invalidJson: { status: 400, code: 'request.invalid_json' },
  tooDeep: { status: 400, code: 'request.too_deep' },
  invalidPath: { status: 400, code: 'request.invalid_path' },
  noRoute: { status: 404, code: 'route.not_found' },
  unauthenticated: { status: 401, code: 'auth.required' },
  forbidden: { status: 403, code: 'auth.forbidden' },
  scope: { status: 403, code: 'auth.insufficient_scope' },
  twoFactor: { status: 403, code: 'auth.two_factor_required' },
  rateLimited: { status: 429, code: 'rate_limit.exceeded' },
} as const;

/** What the authenticate middleware answers for a credential it cannot accept. */
const CREDENTIAL_ERRORS = [
  'auth.invalid_api_key',
  'auth.api_key_inactive',
  'auth.api_key_expired',
  'auth.account_deleted',
  'auth.malformed_credentials',
  'auth.unsupported_credential',
].map((code) => ({ status: 401, code }));

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No valid credential',
  403: 'The caller may not do this',
  404: 'Not found, or not visible to the caller',
  409: 'Conflicts with the current state',
  413: 'The request body is too large',
  422: 'Refers to something that does not exist',
  429: 'Rate limit exceeded; see Retry-After',
};

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io,
    // Transforms and refinements are checked at runtime; the document shows the shape they accept.
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // The routes' schemas are zod classic ones, whose definition is public (`schema.def`, the object zod keeps
      // internally as `_zod.def`).
      if (!(zodSchema instanceof z.ZodType)) return;
      const def = zodSchema.def;
      if (def.type === 'date') Object.assign(jsonSchema, { type: 'string', format: 'date-time' });
      // zod adds its full UUID regex next to `format: uuid`; the format says it already.
      if ('format' in def && def.format === 'uuid') delete jsonSchema.pattern;
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** `/v1/users/:id/roles/:roleId` → `/v1/users/{id}/roles/{roleId}` */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parametersOf(route: AnyRoute): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  const add = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const json = schemaOf(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...propertySchema } = property;
      parameters.push({
        name,
        in: where,
        required: where === 'path' || (required.has(name) && !('default' in property)),
        ...(description ? { description } : {}),
        schema: propertySchema,
      });
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  return parameters;
}

function errorsOf(route: AnyRoute): { status: number; code: string }[] {
  const errors: { status: number; code: string }[] = [...(route.errors ?? [])];
  if (route.params || route.query || route.body) errors.push(COMMON_ERRORS.validation);
  // Every /v1 request with a JSON content type has its body parsed, whether the route reads it or not.
  errors.push(COMMON_ERRORS.invalidJson, COMMON_ERRORS.tooDeep);
  // A path parameter left empty (`/v1/settings/`) matches no route.
  if (route.params) errors.push(COMMON_ERRORS.invalidPath, COMMON_ERRORS.noRoute);
  if (route.access !== 'public') errors.push(COMMON_ERRORS.unauthenticated);
  // A credential that is sent is checked on every route, public ones included: a bad one is refused.
  errors.push(...CREDENTIAL_ERRORS);
  if (route.access !== 'public') {
    if (!route.allowWithoutTwoFactor) errors.push(COMMON_ERRORS.twoFactor);
    if (typeof route.access === 'object') errors.push(COMMON_ERRORS.forbidden, COMMON_ERRORS.scope);
  }
  errors.push(COMMON_ERRORS.rateLimited);
  return errors;
}

function responsesOf(route: AnyRoute): JsonSchema {
  const status = route.status ?? (route.response || route.streamsResponse ? 200 : 204);
  const responses: JsonSchema = {
    [status]: route.streamsResponse
      ? {
          description: route.streamsResponse.description,
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        }
      : route.response
        ? {
            description: status === 201 ? 'Created' : 'OK',
            content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
          }
        : { description: 'Done; no body' },
  };
  const byStatus = new Map<number, Set<string>>();
  for (const { status: s, code } of errorsOf(route))
    byStatus.set(s, (byStatus.get(s) ?? new Set()).add(code));
  for (const [s, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [...codes].sort();
    responses[s] = {
      description: `${STATUS_TEXT[s] ?? 'Error'}. Codes: ${list.map((c) => `\`${c}\``).join(', ')}.`,
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { properties: { error: { properties: { code: { enum: list } } } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

function operationOf(route: AnyRoute): JsonSchema {
  const permission = typeof route.access === 'object' ? route.access.permission : undefined;
  const who =
    route.access === 'public'
      ? 'Public.'
      : permission
        ? `Needs the permission \`${permission}\` (and, for an API key, a matching scope).`
        : 'Any authenticated caller; ownership rules apply.';
  const parameters = parametersOf(route);
  return {
    operationId: `${route.method}${openApiPath(route.path)
      .replace(/^\/v1/, '')
      .split(/[/{}-]+/)
      .filter(Boolean)
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join('')}`,
    summary: route.summary,
    description: who,
    tags: [route.tag],
    ...(route.access === 'public' ? { security: [] } : {}),
    ...(permission ? { 'x-required-permission': permission } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.rawBody
      ? {
          requestBody: {
            required: true,
            description: route.rawBody.description,
            content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
          },
        }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses: responsesOf(route),
  };
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    (paths[path] ??= {})[route.method] = operationOf(route);
  }
  const usedTags = [...new Set(routes.map((r) => r.tag))];
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    servers: [{ url: info.serverUrl ?? '/' }],
    tags: usedTags.map((name) => ({ name, ...(TAGS[name] ? { description: TAGS[name] } : {}) })),
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'hm_…',
          description: 'An API key: `Authorization: Bearer hm_…`.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'requestId'],
              properties: {
                code: { type: 'string', description: 'Stable, machine-readable' },
                message: { type: 'string', description: 'For people; may change' },
                details: { description: 'Safe, code-specific details (e.g. invalid fields)' },
                requestId: { type: 'string', description: 'Also in the X-Request-Id header' },
              },
            },
          },
        },
      },
    },
  };
}
