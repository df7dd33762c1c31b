import { defineConfig, type DefaultTheme } from 'vitepress';

/**
 * The documentation site, built by `npm run build` into dist/docs-site and served by Heimdall at /docs.
 * Guides come in English (root) and German (/de/); the reference pages are English only and shared.
 */

// Swagger UI is a page of the server, not of this site: `target: '_self'` makes the client router leave it
// to the browser, and the trailing slash keeps VitePress from adding `.html`.
const swaggerUi = (text: string): DefaultTheme.NavItemWithLink => ({ text, link: '/api/', target: '_self' });

const GUIDES = [
  'quick-start',
  'first-admin',
  'register-an-app',
  'call-the-api',
  'write-a-bot',
  'deploy-several-nodes',
  'backup-restore',
  'upgrade',
] as const;
type Guide = (typeof GUIDES)[number];

const guideTitles: Record<'en' | 'de', Record<Guide, string>> = {
  en: {
    'quick-start': 'Quick start',
    'first-admin': 'The first administrator',
    'register-an-app': 'Register an app (OIDC)',
    'call-the-api': 'Call the API',
    'write-a-bot': 'Write a bot',
    'deploy-several-nodes': 'Deploy on several nodes',
    'backup-restore': 'Back up and restore',
    upgrade: 'Upgrade',
  },
  de: {
    'quick-start': 'Schnellstart',
    'first-admin': 'Der erste Administrator',
    'register-an-app': 'Eine App registrieren (OIDC)',
    'call-the-api': 'Die API aufrufen',
    'write-a-bot': 'Einen Bot schreiben',
    'deploy-several-nodes': 'Auf mehreren Knoten betreiben',
    'backup-restore': 'Sichern und wiederherstellen',
    upgrade: 'Aktualisieren',
  },
};

const REFERENCE: DefaultTheme.SidebarItem[] = [
  { text: 'Architecture', link: '/architecture' },
  { text: 'Configuration', link: '/configuration' },
  { text: 'REST API (/v1)', link: '/api' },
  { text: 'GraphQL API', link: '/graphql' },
  { text: 'GraphQL schema', link: '/reference/graphql-schema' },
  { text: 'Heimdall ID (OpenID Connect)', link: '/oidc' },
  { text: 'Accounts and sessions', link: '/accounts' },
  { text: 'Policy pages', link: '/policies' },
  { text: 'Social sign-in', link: '/social-login' },
  { text: 'Realtime', link: '/realtime' },
  { text: 'Realtime protocol', link: '/reference/realtime-protocol' },
  { text: 'TypeScript SDK', link: '/sdk' },
  { text: 'Bots', link: '/bots' },
  { text: 'Discord bot', link: '/bots-discord' },
  { text: 'Twitch bot', link: '/bots-twitch' },
  { text: 'YouTube bot', link: '/bots-youtube' },
  { text: 'Admin panel', link: '/admin' },
  { text: 'Admin panel services', link: '/admin-services' },
  { text: 'File storage', link: '/storage' },
  { text: 'Database', link: '/database' },
  { text: 'Performance', link: '/performance' },
];

function sidebar(lang: 'en' | 'de'): DefaultTheme.SidebarItem[] {
  const prefix = lang === 'en' ? '' : '/de';
  return [
    {
      text: lang === 'en' ? 'Guides' : 'Anleitungen',
      items: GUIDES.map((guide) => ({ text: guideTitles[lang][guide], link: `${prefix}/guide/${guide}` })),
    },
    { text: lang === 'en' ? 'Reference' : 'Referenz (englisch)', items: REFERENCE },
  ];
}

function nav(lang: 'en' | 'de'): DefaultTheme.NavItem[] {
  const prefix = lang === 'en' ? '' : '/de';
  return [
    { text: lang === 'en' ? 'Guides' : 'Anleitungen', link: `${prefix}/guide/quick-start` },
    { text: lang === 'en' ? 'Reference' : 'Referenz', link: '/architecture' },
    swaggerUi(lang === 'en' ? 'API explorer' : 'API-Explorer'),
  ];
}

export default defineConfig({
  title: 'Heimdall',
  description: 'Self-hosted identity, access and realtime platform',
  base: '/docs/',
  outDir: '../dist/docs-site',
  // The search index and page hashes go to a file of their own rather than into every page as inline script,
  // which would change the page's Content-Security-Policy hash with every edit.
  metaChunk: true,
  lastUpdated: false,
  // Head tags are not given the base: the icon's path is spelled out.
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/docs/favicon.svg' }]],
  // Guides show `http://localhost:3000/…` addresses of a running server; every other link is checked.
  ignoreDeadLinks: 'localhostLinks',
  locales: {
    root: {
      label: 'English',
      lang: 'en',
      themeConfig: { nav: nav('en'), sidebar: sidebar('en') },
    },
    de: {
      label: 'Deutsch',
      lang: 'de',
      description: 'Selbst betriebene Plattform für Identität, Zugriff und Echtzeit',
      themeConfig: {
        nav: nav('de'),
        sidebar: sidebar('de'),
        outline: { label: 'Auf dieser Seite' },
        docFooter: { prev: 'Vorherige Seite', next: 'Nächste Seite' },
        darkModeSwitchLabel: 'Darstellung',
        lightModeSwitchTitle: 'Zum hellen Modus wechseln',
        darkModeSwitchTitle: 'Zum dunklen Modus wechseln',
        sidebarMenuLabel: 'Menü',
        returnToTopLabel: 'Nach oben',
        langMenuLabel: 'Sprache wählen',
        notFound: {
          title: 'Seite nicht gefunden',
          quote: 'Diese Seite gibt es nicht (mehr).',
          linkText: 'Zur Startseite',
          linkLabel: 'Zur Startseite',
        },
      },
    },
  },
  themeConfig: {
    // The language menu leads to the other language's home page: the reference pages exist in English only, so
    // "the same page in German" would often be a page that is not there.
    i18nRouting: false,
    logo: '/favicon.svg',
    search: {
      provider: 'local',
      options: {
        locales: {
          de: {
            translations: {
              button: { buttonText: 'Suchen', buttonAriaLabel: 'Suchen' },
              modal: {
                displayDetails: 'Details anzeigen',
                resetButtonTitle: 'Suche zurücksetzen',
                backButtonTitle: 'Suche schließen',
                noResultsText: 'Keine Ergebnisse für',
                footer: {
                  selectText: 'auswählen',
                  selectKeyAriaLabel: 'Eingabetaste',
                  navigateText: 'navigieren',
                  navigateUpKeyAriaLabel: 'Pfeil nach oben',
                  navigateDownKeyAriaLabel: 'Pfeil nach unten',
                  closeText: 'schließen',
                  closeKeyAriaLabel: 'Escape',
                },
              },
            },
          },
        },
      },
    },
  },
});
