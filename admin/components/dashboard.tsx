import React, { useEffect, useMemo, useState } from 'react';
import { Box, H2, H4, MessageBox, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';
import type { ChartConfiguration } from 'chart.js';
import { api } from './api.js';
import ChartCanvas from './chart.js';
import LiveFeed from './live-feed.js';

interface Share {
  users: number;
  enabled: number;
  rate: number | null;
}

interface Stats {
  users: { total: number; new_last_7_days: number };
  sessions: { active: number };
  two_factor: { required: Share; overall: Share };
  api_keys: { active: number };
  oauth_clients: { active: number };
  sign_ins: {
    total: number;
    failed_total: number;
    hourly: { hour: string; sign_ins: number; failed: number }[];
    by_country: { country_code: string | null; country_name: string | null; sign_ins: number }[];
  };
}

interface DashboardData {
  stats: Stats | null;
  feed: { types: string[] } | null;
}

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)} %`);

function Figure(props: { label: string; value: string | number; hint?: string; testId: string }) {
  return (
    <Box bg="white" p="lg" mr="lg" mb="lg" flexGrow={1} style={{ minWidth: 150 }} data-testid={props.testId}>
      <Text color="grey60">{props.label}</Text>
      <H2 mb="0">{props.value}</H2>
      {props.hint ? <Text color="grey60">{props.hint}</Text> : null}
    </Box>
  );
}

/**
 * The dashboard: figures (users, sessions, 2FA adoption, keys, clients), sign-ins and failed sign-ins per hour
 * over 7 days and sign-ins by country (Chart.js), and the live security feed. Each part needs its permission
 * (stats:read for the figures, audit:read for the feed); what the admin may not see is not shown.
 */
const Dashboard: React.FC = () => {
  const { translateMessage } = useTranslation();
  const [data, setData] = useState<DashboardData | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api
      .getDashboard()
      .then((response) => setData(response.data as DashboardData))
      .catch(() => setFailed(true));
  }, []);
  const stats = data?.stats ?? null;

  const hourly = useMemo<ChartConfiguration | null>(() => {
    if (!stats) return null;
    return {
      type: 'line',
      data: {
        labels: stats.sign_ins.hourly.map((h) =>
          new Date(h.hour).toLocaleString([], { weekday: 'short', hour: '2-digit' }),
        ),
        datasets: [
          {
            label: translateMessage('signIns'),
            data: stats.sign_ins.hourly.map((h) => h.sign_ins),
            borderColor: '#3040d6',
            backgroundColor: '#3040d6',
            pointRadius: 0,
            tension: 0.2,
          },
          {
            label: translateMessage('failedSignIns'),
            data: stats.sign_ins.hourly.map((h) => h.failed),
            borderColor: '#d63040',
            backgroundColor: '#d63040',
            pointRadius: 0,
            tension: 0.2,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }, [stats]);

  const countries = useMemo<ChartConfiguration | null>(() => {
    if (!stats) return null;
    const top = stats.sign_ins.by_country.slice(0, 10);
    return {
      type: 'bar',
      data: {
        labels: top.map((c) => c.country_name ?? c.country_code ?? translateMessage('unknownPlace')),
        datasets: [
          {
            label: translateMessage('signIns'),
            data: top.map((c) => c.sign_ins),
            backgroundColor: '#3040d6',
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: 'y',
        plugins: { legend: { display: false } },
      },
    };
  }, [stats]);

  return (
    <Box variant="grey" p={['default', 'xl']} data-testid="dashboard">
      <H2>{translateMessage('dashboardTitle')}</H2>
      {failed ? <MessageBox variant="danger" message={translateMessage('dashboardFailed')} /> : null}
      {stats ? (
        <>
          <Box flex flexWrap="wrap">
            <Figure
              testId="figure-users"
              label={translateMessage('figureUsers')}
              value={stats.users.total}
              hint={`+${stats.users.new_last_7_days} ${translateMessage('in7Days')}`}
            />
            <Figure
              testId="figure-sessions"
              label={translateMessage('figureSessions')}
              value={stats.sessions.active}
            />
            <Figure
              testId="figure-2fa-required"
              label={translateMessage('figure2faRequired')}
              value={percent(stats.two_factor.required.rate)}
              hint={`${stats.two_factor.required.enabled} / ${stats.two_factor.required.users}`}
            />
            <Figure
              testId="figure-2fa-overall"
              label={translateMessage('figure2faOverall')}
              value={percent(stats.two_factor.overall.rate)}
              hint={`${stats.two_factor.overall.enabled} / ${stats.two_factor.overall.users}`}
            />
            <Figure
              testId="figure-api-keys"
              label={translateMessage('figureApiKeys')}
              value={stats.api_keys.active}
            />
            <Figure
              testId="figure-clients"
              label={translateMessage('figureClients')}
              value={stats.oauth_clients.active}
            />
          </Box>
          <Box bg="white" p="lg" mb="lg">
            <H4>
              {translateMessage('signInsPerHour')} ({stats.sign_ins.total} / {stats.sign_ins.failed_total})
            </H4>
            {hourly ? (
              <ChartCanvas config={hourly} label={translateMessage('signInsPerHour')} testId="chart-hourly" />
            ) : null}
          </Box>
          <Box bg="white" p="lg" mb="lg">
            <H4>{translateMessage('signInsByCountry')}</H4>
            {countries && stats.sign_ins.by_country.length > 0 ? (
              <ChartCanvas
                config={countries}
                label={translateMessage('signInsByCountry')}
                testId="chart-countries"
              />
            ) : (
              <Text color="grey60">{translateMessage('none')}</Text>
            )}
          </Box>
        </>
      ) : data ? (
        <Text color="grey60">{translateMessage('notPermitted')}</Text>
      ) : null}
      {data?.feed ? (
        <Box bg="white" p="lg">
          <LiveFeed types={data.feed.types} />
        </Box>
      ) : null}
    </Box>
  );
};

export default Dashboard;
