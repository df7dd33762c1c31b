import React, { useEffect, useState } from 'react';
import { Badge, Box, H4, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';
import { RealtimeClient, type AuditEventData } from '../../sdk/realtime/browser.js';
import { csrfToken } from './api.js';

interface FeedToken {
  token: string;
  url: string;
}

/**
 * Security events as they happen: the panel's browser joins the realtime service's `audit` channel with the
 * project's own SDK, holding a short-lived Heimdall ID access token (scope audit:read) that the panel hands out
 * and renews on every reconnect. Only the event types the dashboard names are listed, newest first.
 */
const LiveFeed: React.FC<{ types: string[] }> = ({ types }) => {
  const { translateMessage } = useTranslation();
  const [events, setEvents] = useState<AuditEventData[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'off'>('connecting');

  useEffect(() => {
    let url = '';
    const token = async () => {
      const response = await fetch('/admin/api/live-token', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-XSRF-TOKEN': csrfToken() },
      });
      if (!response.ok) throw new Error(`live token: ${response.status}`);
      const body = (await response.json()) as FeedToken;
      url = body.url;
      return body.token;
    };
    let client: RealtimeClient | undefined;
    let stopped = false;
    const wanted = new Set(types);
    token()
      .then((first) => {
        if (stopped) return;
        let handed = false;
        client = new RealtimeClient({
          url,
          token: () => {
            if (!handed) {
              handed = true;
              return first;
            }
            return token();
          },
          client: 'heimdall-admin',
        });
        client.on('disconnected', () => setState('connecting'));
        client.on('connected', () => setState('live'));
        return client.connect().then(() =>
          client!.subscribe('audit', {
            publication: ({ payload }) => {
              const event = payload.audit;
              if (event && wanted.has(event.eventType ?? ''))
                setEvents((list) => [event, ...list].slice(0, 50));
            },
          }),
        );
      })
      .then(() => setState('live'))
      .catch(() => setState('off'));
    return () => {
      stopped = true;
      void client?.close();
    };
  }, [types.join(',')]);

  return (
    <Box data-testid="live-feed" data-state={state}>
      <H4>
        {translateMessage('liveFeed')}{' '}
        <Badge
          variant={state === 'live' ? 'success' : state === 'off' ? 'danger' : 'info'}
          data-testid="live-state"
        >
          {translateMessage(`live_${state}`)}
        </Badge>
      </H4>
      {events.length === 0 ? <Text color="grey60">{translateMessage('liveEmpty')}</Text> : null}
      {events.map((e) => (
        <Box
          key={e.id}
          py="sm"
          style={{ borderBottom: '1px solid #eee' }}
          data-testid="live-event"
          data-type={e.eventType}
        >
          <Text>
            <strong>{e.eventType}</strong> · {new Date(e.createdAt ?? Date.now()).toLocaleTimeString()}
            {e.userId ? ` · ${e.userId}` : ''}
            {e.ipAddress ? ` · ${e.ipAddress}` : ''}
            {e.countryCode ? ` (${e.countryCode})` : ''}
          </Text>
        </Box>
      ))}
    </Box>
  );
};

export default LiveFeed;
