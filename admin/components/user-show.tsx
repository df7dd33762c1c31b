import React, { useEffect, useState } from 'react';
import { Box, H4, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { BasePropertyComponent, useTranslation, type ActionProps } from 'adminjs';
import { api } from './api.js';

interface Details {
  methods:
    | {
        id: string;
        platform_id: string;
        username: string;
        email: string | null;
        is_primary: boolean;
        created_at: string;
      }[]
    | null;
  sessions:
    | {
        id: string;
        ip_address: string | null;
        user_agent: string | null;
        provider: string | null;
        created_at: string;
        last_activity_at: string | null;
      }[]
    | null;
  twoFactor: { enabled: boolean; required: boolean; backup_codes_remaining: number } | null;
  activity:
    | {
        id: string;
        event_type: string;
        status: string;
        ip_address: string | null;
        country_code: string | null;
        created_at: string;
      }[]
    | null;
}

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

function Section(props: {
  title: string;
  testId: string;
  rows: unknown[] | null;
  head: string[];
  cells: (row: never) => React.ReactNode[];
}) {
  const { translateMessage } = useTranslation();
  return (
    <Box mt="xl" data-testid={props.testId}>
      <H4>{props.title}</H4>
      {props.rows === null ? (
        <Text color="grey60">{translateMessage('notPermitted')}</Text>
      ) : props.rows.length === 0 ? (
        <Text color="grey60">{translateMessage('none')}</Text>
      ) : (
        <Table>
          <TableHead>
            <TableRow>
              {props.head.map((h) => (
                <TableCell key={h}>{h}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {props.rows.map((row, i) => (
              <TableRow key={i}>
                {props.cells(row as never).map((cell, j) => (
                  <TableCell key={j}>{cell}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

/** A user's page: the record (its show properties, roles among them), then 2FA, sign-in methods, sessions and recent activity. */
const UserShow: React.FC<ActionProps> = ({ record, resource }) => {
  const { translateProperty, translateMessage } = useTranslation();
  const [details, setDetails] = useState<Details | null>(null);
  useEffect(() => {
    if (!record) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'details' })
      .then((response) => setDetails((response.data as unknown as { details: Details }).details))
      .catch(() => setDetails(null));
  }, [record?.id]);
  if (!record) return null;
  const t = (key: string) => translateMessage(key);
  return (
    <Box variant="container" data-testid="user-show">
      {resource.showProperties.map((property) => (
        <BasePropertyComponent
          key={property.propertyPath}
          where="show"
          property={property}
          resource={resource}
          record={record}
        />
      ))}
      {details ? (
        <>
          <Section
            title={t('twoFactorState')}
            testId="user-two-factor"
            rows={details.twoFactor ? [details.twoFactor] : null}
            head={[t('enabled'), t('required'), t('backupCodes')]}
            cells={(s: NonNullable<Details['twoFactor']>) => [
              s.enabled ? t('yes') : t('no'),
              s.required ? t('yes') : t('no'),
              String(s.backup_codes_remaining),
            ]}
          />
          <Section
            title={t('signInMethods')}
            testId="user-methods"
            rows={details.methods}
            head={[
              t('platform'),
              translateProperty('username', resource.id),
              translateProperty('email', resource.id),
              t('primary'),
            ]}
            cells={(m: NonNullable<Details['methods']>[number]) => [
              m.platform_id,
              m.username,
              m.email ?? '—',
              m.is_primary ? t('yes') : '',
            ]}
          />
          <Section
            title={t('sessions')}
            testId="user-sessions"
            rows={details.sessions}
            head={[t('ip'), t('device'), translateProperty('created_at', resource.id), t('lastActive')]}
            cells={(s: NonNullable<Details['sessions']>[number]) => [
              s.ip_address ?? '—',
              s.user_agent ?? '—',
              when(s.created_at),
              when(s.last_activity_at),
            ]}
          />
          <Section
            title={t('recentActivity')}
            testId="user-activity"
            rows={details.activity}
            head={[t('event'), translateProperty('status', resource.id), t('ip'), t('country'), t('time')]}
            cells={(e: NonNullable<Details['activity']>[number]) => [
              e.event_type,
              e.status,
              e.ip_address ?? '—',
              e.country_code ?? '—',
              when(e.created_at),
            ]}
          />
        </>
      ) : null}
    </Box>
  );
};

export default UserShow;
