/**
 * The Heimdall REST client (docs/sdk.md), for Node and browsers alike: nothing here or below imports Node's
 * modules, so a bundler takes it as it is. Its types come from the OpenAPI document (generated/openapi.ts).
 */
export {
  createHeimdallClient,
  type HeimdallAuth,
  type HeimdallCall,
  type HeimdallClient,
  type HeimdallClientOptions,
  type HttpMethod,
  type Me,
  type PathsWith,
  type PlatformToken,
  type PlatformCheck,
  type ResponseBody,
} from './client.js';
export { HeimdallApiError, HeimdallNetworkError, type HeimdallApiErrorInit } from './errors.js';
export { parseRetryAfter, type RetryOptions } from './retry.js';
export type { ClientCredentials } from './token.js';
export type { FetchLike } from './transport.js';
export type { components, operations, paths } from './generated/openapi.js';
