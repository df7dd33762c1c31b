import type { HeimdallClient } from '../../sdk/rest/index.js';
import type { AuditEventData, PublicationEvent, RealtimeClient } from '../../sdk/realtime/browser.js';
import type { BotPlatform } from './adapter.js';
import { languageOf, translate, type BotLanguage } from './i18n.js';
import type { LogPoster } from './platform.js';
import type { CommunitySettingsStore } from './settings.js';

/** What a community's moderators want to hear about a member's Heimdall account. */
export const NOTIFIED_EVENTS = {
  user_banned: { en: 'banned from Heimdall', de: 'in Heimdall gesperrt' },
  user_unbanned: { en: 'Heimdall ban lifted', de: 'Heimdall-Sperre aufgehoben' },
  user_deleted: { en: 'Heimdall account deleted', de: 'Heimdall-Konto gelöscht' },
  password_changed: { en: 'password changed', de: 'Passwort geändert' },
  '2fa_disabled': { en: 'two-factor authentication switched off', de: 'Zwei-Faktor-Anmeldung ausgeschaltet' },
  all_sessions_revoked: { en: 'signed out everywhere', de: 'überall abgemeldet' },
  role_assigned: { en: 'role given', de: 'Rolle erhalten' },
  role_removed: { en: 'role taken away', de: 'Rolle entzogen' },
  account_unlinked: { en: 'a sign-in method unlinked', de: 'eine Anmeldemethode getrennt' },
} as const satisfies Record<string, Record<BotLanguage, string>>;

type NotifiedEvent = keyof typeof NOTIFIED_EVENTS;
const isNotified = (type: string): type is NotifiedEvent => Object.hasOwn(NOTIFIED_EVENTS, type);

export interface SecurityNotifierOptions {
  client: HeimdallClient;
  realtime: Pick<RealtimeClient, 'subscribe'>;
  platform: BotPlatform;
  log: LogPoster;
  settings: CommunitySettingsStore;
  onError?: (err: unknown, context: string) => void;
}

/**
 * Posts a security event of a member's linked Heimdall account (banned, 2FA switched off, signed out everywhere…)
 * to the log channel of each community they are in that has one. It follows Heimdall's `audit` channel
 * (the bot's credential needs `audit:read`, and `users:read` to find the member's platform account); the SDK's
 * client resumes the subscription from its last offset after a reconnect, so a Heimdall restart loses nothing
 * its history still holds.
 */
export class SecurityNotifier {
  private subscription: { unsubscribe(): Promise<void> } | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: SecurityNotifierOptions) {}

  async start(): Promise<void> {
    this.subscription = await this.options.realtime.subscribe('audit', {
      // In order, one at a time: a ban and its lifting are posted as they happened.
      publication: (event) => {
        this.queue = this.queue.then(() =>
          this.handle(event).catch((err: unknown) => this.options.onError?.(err, 'security notice')),
        );
      },
      ended: (err) => this.options.onError?.(err, 'audit subscription ended'),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.queue;
  }

  /** Resolves when every notice received so far has been handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async handle(event: PublicationEvent): Promise<void> {
    const audit: AuditEventData | null | undefined = event.payload.audit;
    if (!audit?.userId || !audit.eventType || !isNotified(audit.eventType)) return;
    if (audit.status && audit.status !== 'success') return;
    const { client, platform } = this.options;
    const { data: accounts } = await client.get('/v1/users/{id}/accounts', {
      params: { path: { id: audit.userId } },
    });
    const account = accounts.find((a) => a.platform_id === platform);
    if (!account) return;
    const eventType = audit.eventType;
    for (const community of this.options.log.communities()) {
      // One community's trouble (its log channel deleted) must not silence the others.
      await this.notify(community, account, eventType, audit.createdAt).catch((err: unknown) =>
        this.options.onError?.(err, `security notice in ${community}`),
      );
    }
  }

  private async notify(
    community: string,
    account: { platform_user_id: string; display_name: string | null; username: string },
    eventType: NotifiedEvent,
    createdAt: string | null | undefined,
  ): Promise<void> {
    const { platform, log, settings } = this.options;
    const current = await settings.get(platform, community);
    if (!current.logChannel) return;
    if (!(await log.isMember(community, account.platform_user_id))) return;
    const language = current.language ?? languageOf(undefined);
    await log.postLog(
      community,
      current.logChannel,
      translate(language, 'security_notice', {
        member: account.display_name ?? account.username,
        event: NOTIFIED_EVENTS[eventType][language],
        time: createdAt ? new Date(createdAt).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '',
      }),
    );
  }
}
