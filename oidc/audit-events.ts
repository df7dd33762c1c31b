import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditLogger } from '../core/audit/logger.js';
import type { Logger } from '../core/logger/logger.js';
import type { AuditEventInput } from '../schemas/audit.js';
import { plainIp } from '../core/shared/actor.js';

/**
 * The provider's own events → the audit log, all with `source_service = id`. Sign-in,
 * failed sign-in and consent are recorded by the interaction pages, which know more (reason, scopes).
 */
type Emitter = { on(event: string, listener: (...args: never[]) => void): unknown };

/** Request facts every event from the provider carries. */
export function requestMeta(ctx: Pick<KoaContextWithOIDC, 'ip' | 'get'>) {
  return {
    ip_address: plainIp(ctx.ip),
    user_agent: ctx.get('user-agent') || undefined,
    source_service: 'id' as const,
  };
}

/** Whose grant oidc-provider just revoked: the token's or the session's person. */
export function revokedGrantAccount(ctx: KoaContextWithOIDC): string | undefined {
  const { entities, session } = ctx.oidc;
  return entities.RefreshToken?.accountId ?? entities.AccessToken?.accountId ?? session?.accountId;
}

export function auditProviderEvents(provider: Emitter, audit: AuditLogger, logger: Logger): void {
  const record = (event: AuditEventInput) => {
    try {
      audit.record(event);
    } catch (err) {
      logger.error({ err }, 'could not record an OIDC audit event');
    }
  };

  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const { entities, params, client } = ctx.oidc;
    const token = entities.AccessToken ?? entities.ClientCredentials;
    record({
      event_type: 'token_created',
      user_id: entities.AccessToken?.accountId,
      actor_id: entities.AccessToken?.accountId ?? `oauth_client:${client?.clientId}`,
      resource_type: 'oauth_client',
      resource_id: client?.clientId,
      metadata: {
        client_id: client?.clientId,
        grant_type: params?.grant_type,
        scope: token?.scope,
        refresh_token: entities.RefreshToken !== undefined,
      },
      ...requestMeta(ctx),
    });
  });

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    const { client, route } = ctx.oidc;
    const accountId = revokedGrantAccount(ctx);
    record({
      event_type: 'token_revoked',
      user_id: accountId,
      actor_id: route === 'revocation' ? `oauth_client:${client?.clientId}` : accountId,
      resource_type: 'oauth_grant',
      resource_id: grantId,
      metadata: { client_id: client?.clientId, reason: route, grant_id: grantId },
      ...requestMeta(ctx),
    });
  });

  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const accountId = ctx.oidc.session?.accountId;
    record({
      event_type: 'logout',
      user_id: accountId,
      actor_id: accountId,
      metadata: { client_id: ctx.oidc.client?.clientId },
      ...requestMeta(ctx),
    });
  });

  provider.on('backchannel.error', (_ctx: KoaContextWithOIDC, err: Error, client: { clientId: string }) =>
    logger.warn({ err, clientId: client.clientId }, 'back-channel logout delivery failed'),
  );
  provider.on('server_error', (_ctx: KoaContextWithOIDC, err: Error) =>
    logger.error({ err }, 'OIDC provider error'),
  );
}
