import type { CheckState, DependencyChecks } from '../../core/health/checks.js';
import { messages, type Locale } from '../../core/i18n/locales.js';
import { SETUP_LINK_MINUTES } from '../../core/setup/setup-links.js';
import { html, type SafeHtml } from '../../core/shared/html.js';
import { page } from '../../oidc/views/layout.js';
import { alertBox, csrfField, newAccountFields, type FormState } from '../views/self-service-pages.js';
import type { FrontTexts } from './texts.js';

/** A place the start page offers, when this node serves it. */
export interface StartLink {
  href: string;
  label: string;
  hint: string;
}

/** What an administrator sees of the instance's health on the start page. */
export interface HealthView {
  checks: DependencyChecks;
  audit: { buffered: number; spooled: number };
  /** Open connections when this node serves realtime. */
  realtime?: { connections: number } | undefined;
}

const cards = (links: readonly StartLink[]) =>
  html`<ul class="cards">
    ${links.map(
      (l) =>
        html`<li class="card">
          <p>
            <a href="${l.href}"><strong>${l.label}</strong></a>
          </p>
          <p class="hint">${l.hint}</p>
        </li>`,
    )}
  </ul>`;

function healthSection(t: FrontTexts, health: HealthView): SafeHtml {
  const state = (s: CheckState) =>
    ({ ok: t.health.ok, unreachable: t.health.unreachable, not_configured: t.health.notConfigured })[s];
  const row = (name: string, value: string, good: boolean) =>
    html`<li class="card" data-check="${name}">
      <p><strong>${name}</strong> <span class="badge">${good ? '✓' : '✗'}</span></p>
      <p class="hint">${value}</p>
    </li>`;
  const { checks } = health;
  return html`<section aria-labelledby="health">
    <h2 id="health">${t.health.heading}</h2>
    <p class="hint">${t.health.lead}</p>
    <ul class="cards">
      ${row(t.health.database, state(checks.database), checks.database === 'ok')}
      ${
        checks.audit_database
          ? row(t.health.auditDatabase, state(checks.audit_database), checks.audit_database === 'ok')
          : ''
      }
      ${row(
        t.health.audit,
        t.health.auditState(health.audit.buffered, health.audit.spooled),
        health.audit.spooled === 0,
      )}
      ${row(t.health.redis, state(checks.redis), checks.redis !== 'unreachable')}
      ${row(
        t.health.realtime,
        health.realtime ? t.health.realtimeServed(health.realtime.connections) : t.health.realtimeElsewhere,
        true,
      )}
    </ul>
  </section>`;
}

export function startPage(
  locale: Locale,
  t: FrontTexts,
  o: { name: string; links: readonly StartLink[]; signedInAs?: string | undefined; health?: HealthView },
): string {
  return page({
    lang: locale,
    title: o.name,
    body: html`<h1>${o.name}</h1>
      <p class="lead">${t.tagline}</p>
      ${o.signedInAs ? html`<p class="notice">${t.signedInAs(o.signedInAs)}</p>` : ''}
      <h2>${t.links.heading}</h2>
      ${cards(o.links)} ${o.health ? healthSection(t, o.health) : ''}`,
  });
}

/** The start page of a Heimdall without administrator: the two ways to create one. */
export function firstRunPage(
  locale: Locale,
  t: FrontTexts,
  o: { command: string; setupLinks: boolean; docs?: string | undefined },
): string {
  return page({
    lang: locale,
    title: t.firstRun.title,
    body: html`<h1>${t.firstRun.title}</h1>
      <p class="lead">${t.firstRun.lead}</p>
      ${
        o.setupLinks
          ? html`<h2>${t.firstRun.linkHeading}</h2>
              <p>${t.firstRun.link(SETUP_LINK_MINUTES)}</p>
              <p class="hint">${t.firstRun.newLink}</p>`
          : ''
      }
      <h2>${t.firstRun.commandHeading}</h2>
      <p>${t.firstRun.command}</p>
      <p class="notice"><code id="create-admin">${o.command}</code></p>
      ${o.docs ? html`<p><a href="${o.docs}">${t.firstRun.docs}</a></p>` : ''}`,
  });
}

export function setupFormPage(
  locale: Locale,
  t: FrontTexts,
  o: { action: string; csrf: string; state: FormState; minPassword: number },
): string {
  const m = messages(locale);
  return page({
    lang: locale,
    title: t.setup.title,
    body: html`<h1>${t.setup.title}</h1>
      <p class="lead">${t.setup.lead}</p>
      ${alertBox(o.state.alert)}
      <form method="post" action="${o.action}" novalidate>
        ${csrfField(o.csrf)} ${newAccountFields(m, o.state, o.minPassword)}
        <button type="submit">${t.setup.submit}</button>
      </form>`,
  });
}

/** Why a setup link was refused: spent or expired, or an administrator exists already. */
export function setupRefusedPage(locale: Locale, t: FrontTexts, reason: 'invalid' | 'complete'): string {
  const [title, text] =
    reason === 'invalid'
      ? [t.setup.invalidTitle, t.setup.invalid(SETUP_LINK_MINUTES)]
      : [t.setup.completeTitle, t.setup.complete];
  return page({
    lang: locale,
    title,
    body: html`<h1>${title}</h1>
      <p>${text}</p>
      <p>
        <a href="${reason === 'invalid' ? '/' : '/account/login'}">
          ${reason === 'invalid' ? t.setup.toStart : messages(locale).login.submit}
        </a>
      </p>`,
  });
}
