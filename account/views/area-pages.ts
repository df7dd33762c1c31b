import { messages, type Locale } from '../../core/i18n/locales.js';
import { html, type SafeHtml } from '../../core/shared/html.js';
import { describeScope, loginPage } from '../../oidc/views/pages.js';
import { page } from '../../oidc/views/layout.js';
import type { SocialChoice } from '../../oidc/views/social.js';

/**
 * The signed-in account area: profile, password, sessions, connected apps. Every page has the same
 * header (who is signed in, sign out) and navigation; sections that later issues add (two-factor, linked
 * accounts, your data) join `AREA_SECTIONS` when their pages exist, so nothing links to an empty page.
 */
export type Section = 'profile' | 'password' | 'security' | 'accounts' | 'sessions' | 'apps';
export const AREA_SECTIONS: readonly Section[] = [
  'profile',
  'password',
  'security',
  'accounts',
  'sessions',
  'apps',
];

export interface AreaFrame {
  locale: Locale;
  username: string;
  csrf: string;
  /** A confirmation shown at the top (after a change). */
  notice?: string | undefined;
  /** A problem with the form. */
  alert?: string | undefined;
  /** The day the account is erased, when its deletion is scheduled (in the person's language). */
  deletionOn?: string | undefined;
}

/** A day as the person reads it ("3 January 2027", "3. Januar 2027"), in UTC as the purge counts it. */
export const longDate = (locale: Locale, date: Date): string =>
  date.toLocaleDateString(locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' });

const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}" />`;

function frame(f: AreaFrame, current: Section | null, title: string, body: SafeHtml): string {
  const m = messages(f.locale).area;
  return page({
    lang: f.locale,
    title,
    body: html`<header class="area">
        <p>${m.signedInAs(f.username)}</p>
        <form method="post" action="/account/logout">
          ${csrfField(f.csrf)}<button type="submit" class="secondary">${m.signOut}</button>
        </form>
      </header>
      <nav aria-label="${m.title}">
        <ul class="nav">
          ${AREA_SECTIONS.map(
            (s) =>
              html`<li>
                <a href="/account/${s}" ${s === current ? html`aria-current="page"` : ''}>${m.nav[s]}</a>
              </li>`,
          )}
        </ul>
      </nav>
      ${f.deletionOn ? deletionNotice(f, f.deletionOn) : ''}
      <h1>${title}</h1>
      ${f.notice ? html`<p class="notice" role="status">${f.notice}</p>` : ''}
      ${f.alert ? html`<div class="error" role="alert">${f.alert}</div>` : ''} ${body}`,
  });
}

/** Until the purge, every page says when it comes and offers to cancel it. */
const deletionNotice = (f: AreaFrame, on: string) => {
  const m = messages(f.locale).area.deletion;
  return html`<section class="error" id="deletion-scheduled">
    <p>${m.scheduled(on)}</p>
    <form method="post" action="/account/delete/cancel">
      ${csrfField(f.csrf)}<button type="submit">${m.cancel}</button>
    </form>
  </section>`;
};

export function overviewPage(f: AreaFrame): string {
  return frame(f, null, messages(f.locale).area.title, html``);
}

export function profilePage(
  f: AreaFrame,
  p: { username: string; preferredLocale: string; privacyMode: boolean; usernameError?: string },
): string {
  const m = messages(f.locale);
  return frame(
    f,
    'profile',
    m.area.nav.profile,
    html`<form method="post" action="/account/profile" novalidate>
        ${csrfField(f.csrf)}
        <label for="username">${m.common.username}</label>
        <p class="hint" id="username-hint">${m.register.usernameRules}</p>
        <input
          id="username"
          name="username"
          type="text"
          autocomplete="username"
          required
          value="${p.username}"
          aria-describedby="username-hint${p.usernameError ? ' username-error' : ''}"
          ${p.usernameError ? html`aria-invalid="true"` : ''}
        />
        ${p.usernameError ? html`<p class="field-error" id="username-error">${p.usernameError}</p>` : ''}
        <label for="locale">${m.area.profile.language}</label>
        <select id="locale" name="preferred_locale">
          <option value="en" ${p.preferredLocale === 'en' ? html`selected` : ''}>English</option>
          <option value="de" ${p.preferredLocale === 'de' ? html`selected` : ''}>Deutsch</option>
        </select>
        <p class="check">
          <input
            id="privacy"
            name="privacy_mode"
            type="checkbox"
            value="yes"
            aria-describedby="privacy-hint"
            ${p.privacyMode ? html`checked` : ''}
          />
          <label for="privacy">${m.area.profile.privacy}</label>
        </p>
        <p class="hint" id="privacy-hint">${m.area.profile.privacyHint}</p>
        <button type="submit">${m.area.profile.save}</button>
      </form>
      <h2>${m.area.export.title}</h2>
      <p>${m.area.export.linkLead}</p>
      <p><a href="/account/export">${m.area.export.link}</a></p>
      <h2>${m.area.deletion.title}</h2>
      <p>${m.area.deletion.linkLead}</p>
      <p><a href="/account/delete">${m.area.deletion.link}</a></p>`,
  );
}

export function passwordPage(
  f: AreaFrame,
  p: { minPassword: number; errors: Record<string, string> },
): string {
  const m = messages(f.locale);
  const input = (name: string, label: string, autocomplete: string, hint?: string) => {
    const error = p.errors[name];
    const described = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
    return html`<label for="${name}">${label}</label>
      ${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ''}
      <input
        id="${name}"
        name="${name}"
        type="password"
        autocomplete="${autocomplete}"
        required
        ${described ? html`aria-describedby="${described}"` : ''}
        ${error ? html`aria-invalid="true"` : ''}
      />
      ${error ? html`<p class="field-error" id="${name}-error">${error}</p>` : ''}`;
  };
  return frame(
    f,
    'password',
    m.area.nav.password,
    html`<form method="post" action="/account/password" novalidate>
      ${csrfField(f.csrf)} ${input('current', m.area.password.current, 'current-password')}
      ${input('password', m.area.password.new, 'new-password', m.register.passwordRules(p.minPassword))}
      ${input('confirm', m.register.confirmPassword, 'new-password')}
      <button type="submit">${m.area.password.save}</button>
    </form>`,
  );
}

export interface SessionView {
  id: string;
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastActivityAt: Date | null;
}

/** A moment as the person reads it, in UTC ("4 Dec 2026, 22:49 UTC"). */
export const when = (locale: Locale, date: Date | null) =>
  date
    ? date.toLocaleString(locale === 'de' ? 'de-DE' : 'en-GB', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'UTC',
      }) + ' UTC'
    : '—';

export function sessionsPage(f: AreaFrame, sessions: readonly SessionView[]): string {
  const m = messages(f.locale).area.sessions;
  return frame(
    f,
    'sessions',
    messages(f.locale).area.nav.sessions,
    html`<p class="lead">${m.lead}</p>
      <ul class="cards">
        ${sessions.map(
          (s) =>
            html`<li class="card">
              <p>
                <strong>${s.userAgent ?? '—'}</strong>
                ${s.current ? html`<span class="badge">${m.current}</span>` : ''}
              </p>
              <p class="hint">
                ${m.from} ${s.ip ?? '—'} · ${m.started} ${when(f.locale, s.createdAt)} · ${m.lastActive}
                ${when(f.locale, s.lastActivityAt)}
              </p>
              ${
                s.current
                  ? ''
                  : html`<form method="post" action="/account/sessions/${s.id}/end">
                      ${csrfField(f.csrf)} <button type="submit" class="secondary">${m.end}</button>
                    </form>`
              }
            </li>`,
        )}
      </ul>
      ${
        sessions.length > 1
          ? html`<form method="post" action="/account/sessions/end-others">
              ${csrfField(f.csrf)}<button type="submit">${m.endOthers}</button>
            </form>`
          : ''
      }`,
  );
}

export interface AppView {
  id: string;
  name: string;
  logoUrl: string | null;
  scopes: string[];
  createdAt: Date;
}

export function appsPage(f: AreaFrame, apps: readonly AppView[]): string {
  const m = messages(f.locale).area.apps;
  return frame(
    f,
    'apps',
    messages(f.locale).area.nav.apps,
    html`<p class="lead">${m.lead}</p>
      ${apps.length === 0 ? html`<p>${m.none}</p>` : ''}
      <ul class="cards">
        ${apps.map(
          (a) =>
            html`<li class="card">
              <div class="app">
                ${a.logoUrl ? html`<img src="${a.logoUrl}" alt="" />` : ''}<strong>${a.name}</strong>
              </div>
              <p class="hint">${m.since} ${when(f.locale, a.createdAt)}</p>
              <p>${m.allowed}:</p>
              <ul class="scopes">
                ${a.scopes.map((s) => html`<li>${describeScope(s, f.locale)}</li>`)}
              </ul>
              <form method="post" action="/account/apps/${a.id}/disconnect">
                ${csrfField(f.csrf)}
                <button type="submit" class="secondary" aria-label="${m.disconnect}: ${a.name}">
                  ${m.disconnect}
                </button>
              </form>
            </li>`,
        )}
      </ul>`,
  );
}

/** A linked sign-in method as /account/accounts shows it. */
export interface LinkedAccountView {
  id: string;
  platformId: string;
  platformName: string;
  username: string;
  displayName: string | null;
  email: string | null;
  emailVerified: boolean;
  primary: boolean;
  tokenStatus: 'none' | 'valid' | 'invalid';
  /** The platform offers what bots need (integration scopes) and is offered now. */
  botsOffered: boolean;
}

/** /account/accounts: the ways the person signs in, the primary one, linking and unlinking platforms. */
export function linkedAccountsPage(
  f: AreaFrame,
  accounts: readonly LinkedAccountView[],
  linkable: readonly { id: string; name: string }[],
): string {
  const m = messages(f.locale).area.accounts;
  const post = (action: string, label: string, extra: SafeHtml | '' = '') =>
    html`<form method="post" action="${action}">
      ${csrfField(f.csrf)}${extra}<button type="submit" class="secondary">${label}</button>
    </form>`;
  return frame(
    f,
    'accounts',
    messages(f.locale).area.nav.accounts,
    html`<p class="lead">${m.lead}</p>
      <ul class="cards">
        ${accounts.map(
          (a) =>
            html`<li class="card" data-platform="${a.platformId}">
              <p>
                <strong>${a.platformName}</strong>
                ${a.primary ? html`<span class="badge">${m.primary}</span>` : ''}
              </p>
              <p>
                ${a.displayName && a.displayName !== a.username ? `${a.displayName} (${a.username})` : a.username}
              </p>
              ${
                a.email && a.platformId !== 'email'
                  ? html`<p class="hint">${a.email}${a.emailVerified ? '' : ` (${m.unverified})`}</p>`
                  : ''
              }
              ${
                a.tokenStatus === 'invalid'
                  ? html`<div class="error" role="alert">${m.tokenInvalid(a.platformName)}</div>`
                  : ''
              }
              ${a.tokenStatus === 'valid' && a.botsOffered ? html`<p class="hint">${m.botsAllowed}</p>` : ''}
              ${a.primary ? '' : post(`/account/accounts/${a.id}/primary`, m.makePrimary)}
              ${
                a.botsOffered && a.tokenStatus !== 'valid'
                  ? html`<p class="hint">${m.connectBotsHint(a.platformName)}</p>
                      ${post(`/account/accounts/link/${a.platformId}`, a.tokenStatus === 'invalid' ? m.link(a.platformName) : m.connectBots, html`<input type="hidden" name="bots" value="1" />`)}`
                  : ''
              }
              ${accounts.length > 1 ? post(`/account/accounts/${a.id}/unlink`, `${m.unlink}: ${a.platformName}`) : ''}
            </li>`,
        )}
      </ul>
      ${
        linkable.length > 0
          ? html`<h2>${m.available}</h2>
              ${linkable.map((p) => post(`/account/accounts/link/${p.id}`, m.link(p.name)))}`
          : ''
      }`,
  );
}

/** The account area's sign-in: the OpenID sign-in page without an app, returning to `returnTo`. */
export function areaLoginPage(
  locale: Locale,
  o: {
    csrf: string;
    returnTo: string;
    email?: string;
    error?: string;
    resendFor?: string;
    platforms: readonly { id: string; name: string }[];
    legal?: SocialChoice['legal'];
  },
): string {
  return loginPage({
    action: '/account/login',
    csrf: o.csrf,
    locale,
    hidden: { return_to: o.returnTo },
    email: o.email,
    error: o.error,
    resendFor: o.resendFor,
    social: socialLogin(o.platforms, o.csrf, o.legal, { return_to: o.returnTo }),
  });
}

/** The account area's "Continue with …" buttons (their CSRF token is the sign-in form's). */
export const socialLogin = (
  platforms: readonly { id: string; name: string }[],
  csrf: string,
  legal: SocialChoice['legal'],
  hidden?: Record<string, string>,
): SocialChoice => ({
  platforms,
  csrf,
  legal,
  action: (platform) => `/account/social/${platform}/login`,
  ...(hidden ? { hidden } : {}),
});

const hiddenContinue = (target: string | undefined) =>
  target ? html`<input type="hidden" name="continue" value="${target}" />` : '';

/** /account/security: 2FA on or off, backup codes left, set up, regenerate, turn off. */
export function securityPage(
  f: AreaFrame,
  s: { enabled: boolean; enabledAt: Date | null; required: boolean; remaining: number; continueTo?: string },
): string {
  const m = messages(f.locale);
  const t = m.twoFactor;
  // Backup codes have letters: no numeric keypad for the field that takes them.
  const codeInput = (id: string) =>
    html`<label for="${id}">${t.codeOrBackup}</label>
      <input
        id="${id}"
        name="code"
        type="text"
        autocapitalize="none"
        autocomplete="one-time-code"
        required
        maxlength="32"
      />`;
  const body = s.enabled
    ? html`<p>${t.on(when(f.locale, s.enabledAt))} ${t.remaining(s.remaining)}</p>
        <form method="post" action="/account/security/regenerate" novalidate>
          ${csrfField(f.csrf)}
          <label for="regen-code">${t.code}</label>
          <input
            id="regen-code"
            name="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            required
            maxlength="6"
          />
          <button type="submit">${t.regenerate}</button>
        </form>
        <h2>${t.disableTitle}</h2>
        <form method="post" action="/account/security/disable" novalidate>
          ${csrfField(f.csrf)} ${codeInput('disable-code')}
          <label for="disable-password">${m.area.password.current}</label>
          <input id="disable-password" name="password" type="password" autocomplete="current-password" />
          <button type="submit" class="secondary">${t.disable}</button>
        </form>`
    : html`${s.required ? html`<div class="error" role="alert">${t.required}</div>` : ''}
        <p>${t.off}</p>
        <form method="post" action="/account/security/setup">
          ${csrfField(f.csrf)} ${hiddenContinue(s.continueTo)}
          <button type="submit">${t.start}</button>
        </form>`;
  return frame(f, 'security', t.security, body);
}

export function securitySetupPage(
  f: AreaFrame,
  s: { qrCode: string; secret: string; continueTo?: string; error?: string },
): string {
  const t = messages(f.locale).twoFactor;
  return frame(
    { ...f, alert: s.error ?? f.alert },
    'security',
    t.start,
    html`<p>${t.scan}</p>
      <p><img src="${s.qrCode}" alt="${t.qrAlt}" width="240" height="240" /></p>
      <p>${t.key}: <code>${s.secret}</code></p>
      <form method="post" action="/account/security/enable" novalidate>
        ${csrfField(f.csrf)} ${hiddenContinue(s.continueTo)}
        <input type="hidden" name="qr" value="${s.qrCode}" />
        <input type="hidden" name="secret" value="${s.secret}" />
        <label for="code">${t.code}</label>
        <input
          id="code"
          name="code"
          type="text"
          inputmode="numeric"
          autocomplete="one-time-code"
          required
          maxlength="6"
          autofocus
        />
        <button type="submit">${t.confirm}</button>
      </form>`,
  );
}

export function backupCodesPage(f: AreaFrame, s: { codes: readonly string[]; continueTo?: string }): string {
  const t = messages(f.locale).twoFactor;
  const file = `data:text/plain;charset=utf-8,${encodeURIComponent(`Heimdall backup codes\n\n${s.codes.join('\n')}\n`)}`;
  return frame(
    f,
    'security',
    t.backupTitle,
    html`<p>${t.backupLead}</p>
      <ul class="codes">
        ${s.codes.map((c) => html`<li><code>${c}</code></li>`)}
      </ul>
      <p><a href="${file}" download="heimdall-backup-codes.txt">${t.download}</a></p>
      <p><a href="${s.continueTo ?? '/account/security'}">${t.continue}</a></p>`,
  );
}

/**
 * /account/delete: what deleting means, and the form that asks for it: the current password, or for people
 * without one a recent sign-in, which "Sign in again" gives them. Nothing to ask while a deletion is scheduled.
 */
export function deletePage(
  f: AreaFrame,
  d: { graceDays: number; hasPassword: boolean; passwordError?: string; reauthenticate?: boolean },
): string {
  const m = messages(f.locale).area;
  const t = m.deletion;
  const reauth = html`<form method="post" action="/account/delete/reauthenticate">
    ${csrfField(f.csrf)}<button type="submit" class="secondary">${t.reauthenticate}</button>
  </form>`;
  const password = html`<label for="password">${m.password.current}</label>
    <p class="hint" id="password-hint">${t.passwordHint}</p>
    <input
      id="password"
      name="password"
      type="password"
      autocomplete="current-password"
      required
      aria-describedby="password-hint${d.passwordError ? ' password-error' : ''}"
      ${d.passwordError ? html`aria-invalid="true"` : ''}
    />
    ${d.passwordError ? html`<p class="field-error" id="password-error">${d.passwordError}</p>` : ''}`;
  return frame(
    f,
    'profile',
    t.title,
    html`<p class="lead">${t.lead(d.graceDays)}</p>
      ${
        f.deletionOn
          ? ''
          : html`<form method="post" action="/account/delete" novalidate>
                ${csrfField(f.csrf)}
                ${d.hasPassword ? password : html`<p class="hint">${t.noPasswordHint}</p>`}
                <button type="submit">${t.submit}</button>
              </form>
              ${d.hasPassword && !d.reauthenticate ? '' : reauth}`
      }`,
  );
}

/**
 * After the request: every session has ended, this one too, so this page stands outside the area. Signing in
 * again leads back to the area, where the scheduled deletion can be cancelled.
 */
export function deletionScheduledPage(locale: Locale, on: string): string {
  const m = messages(locale).area.deletion;
  return page({
    lang: locale,
    title: m.doneTitle,
    body: html`<h1>${m.doneTitle}</h1>
      <p class="notice" role="status">${m.scheduled(on)}</p>
      <p>${m.done}</p>
      <p><a href="/account/login?return_to=%2Faccount">${m.signInToCancel}</a></p>`,
  });
}

/** A data export as /account/export shows it; `expired` also when its file's time is up but the sweep not yet run. */
export interface ExportView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  progress: number;
  requestedAt: Date;
  expiresAt: Date | null;
  sizeBytes: number | null;
}

/** One finished export of the history (DataExportLog), with when its file is (or was) deleted. */
export interface ExportLogView {
  exportedAt: Date;
  sizeBytes: number | null;
  availableUntil: Date;
}

/** A file size as the person reads it ("1.2 MB", "1,2 MB"). */
export function fileSize(locale: Locale, bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-GB', {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

/**
 * /account/export: the button that asks for an export, the latest one's progress (the page reloads itself
 * while it is being built: no scripts), its download link, and the history of finished exports.
 */
export function exportPage(
  f: AreaFrame,
  d: { latest: ExportView | null; history: readonly ExportLogView[]; perDay: number; keepHours: number },
  now: Date = new Date(),
): string {
  const m = messages(f.locale).area;
  const t = m.export;
  const latest = d.latest;
  const building = latest?.status === 'queued' || latest?.status === 'running';
  const state = (e: ExportView) => {
    if (e.status === 'queued' || e.status === 'running')
      return html`<p>
          <progress max="100" value="${String(e.progress)}" aria-labelledby="export-progress"></progress>
          <span id="export-progress">${t.progress(e.progress)}</span>
        </p>
        <p class="hint">${t.refreshHint} <a href="/account/export">${t.refresh}</a></p>`;
    if (e.status === 'done')
      return html`<p>
          <a href="/account/export/${e.id}/download" download
            >${t.download(fileSize(f.locale, e.sizeBytes))}</a
          >
        </p>
        ${e.expiresAt ? html`<p class="hint">${t.availableUntil(when(f.locale, e.expiresAt))}</p>` : ''}`;
    return html`<p>${e.status === 'failed' ? t.failed : t.expired}</p>`;
  };
  return frame(
    f,
    'profile',
    t.title,
    html`${building ? html`<meta http-equiv="refresh" content="3" />` : ''}
      <p class="lead">${t.lead(d.perDay, d.keepHours)}</p>
      ${
        latest
          ? html`<section class="card" id="latest-export" aria-labelledby="latest-export-title">
              <h2 id="latest-export-title">${t.latest}</h2>
              <p>
                <strong>${t.status[latest.status]}</strong> ·
                ${t.requestedOn(when(f.locale, latest.requestedAt))}
              </p>
              ${state(latest)}
            </section>`
          : ''
      }
      ${
        building
          ? ''
          : html`<form method="post" action="/account/export">
              ${csrfField(f.csrf)}<button type="submit">${t.request}</button>
            </form>`
      }
      <h2>${t.history}</h2>
      ${
        d.history.length === 0
          ? html`<p>${t.noHistory}</p>`
          : html`<table class="history">
              <thead>
                <tr>
                  <th scope="col">${t.exportedOn}</th>
                  <th scope="col">${t.size}</th>
                  <th scope="col">${t.availability}</th>
                </tr>
              </thead>
              <tbody>
                ${d.history.map(
                  (h) =>
                    html`<tr>
                      <td>${when(f.locale, h.exportedAt)}</td>
                      <td>${fileSize(f.locale, h.sizeBytes)}</td>
                      <td>
                        ${
                          h.availableUntil.getTime() > now.getTime()
                            ? t.availableUntil(when(f.locale, h.availableUntil))
                            : t.status.expired
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }`,
  );
}
