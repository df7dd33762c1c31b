import { messages, type Locale } from '../i18n/locales.js';
import { html, type SafeHtml } from '../shared/html.js';

/**
 * The emails Heimdall sends, each in English and German with a plain-text and an HTML part.
 * The HTML is a single table-free column with inline styles (what mail clients render reliably) and the link
 * also written out, for clients that block buttons.
 */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

function layout(locale: Locale, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="${locale}">
      <body
        style="margin:0;padding:24px;background:#f5f6f8;font:16px/1.5 -apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2433"
      >
        <div style="max-width:32rem;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
          ${body}
        </div>
      </body>
    </html>`.value;
}

function linkEmail(
  locale: Locale,
  parts: { subject: string; name: string; body: string; button: string; link: string; expiry: string },
): RenderedEmail {
  const m = messages(locale).email;
  const text = [
    m.greeting(parts.name),
    '',
    parts.body,
    '',
    parts.link,
    '',
    parts.expiry,
    m.ignore,
    '',
    `— ${m.signature}`,
  ].join('\n');
  const body = html`<p>${m.greeting(parts.name)}</p>
    <p>${parts.body}</p>
    <p>
      <a
        href="${parts.link}"
        style="display:inline-block;padding:12px 20px;background:#3451b2;color:#fff;border-radius:6px;text-decoration:none;font-weight:600"
        >${parts.button}</a
      >
    </p>
    <p style="font-size:13px;color:#667085;word-break:break-all">${parts.link}</p>
    <p style="font-size:13px;color:#667085">${parts.expiry} ${m.ignore}</p>
    <p>— ${m.signature}</p>`;
  return { subject: parts.subject, text, html: layout(locale, body) };
}

export function verifyEmail(
  locale: Locale,
  v: { name: string; link: string; ttlSeconds: number },
): RenderedEmail {
  const m = messages(locale).email;
  return linkEmail(locale, {
    subject: m.verifySubject,
    name: v.name,
    body: m.verifyBody,
    button: m.verifyButton,
    link: v.link,
    expiry: m.verifyExpiry(Math.round(v.ttlSeconds / 3600)),
  });
}

export function resetPasswordEmail(
  locale: Locale,
  v: { name: string; link: string; ttlSeconds: number },
): RenderedEmail {
  const m = messages(locale).email;
  return linkEmail(locale, {
    subject: m.resetSubject,
    name: v.name,
    body: m.resetBody,
    button: m.resetButton,
    link: v.link,
    expiry: m.resetExpiry(Math.round(v.ttlSeconds / 60)),
  });
}

/** A security notice: something changed on the account; if it was not them, act. */
function noticeEmail(locale: Locale, v: { name: string; subject: string; body: string }): RenderedEmail {
  const m = messages(locale).email;
  const text = [m.greeting(v.name), '', v.body, '', m.changedWarning, '', `— ${m.signature}`].join('\n');
  const body = html`<p>${m.greeting(v.name)}</p>
    <p>${v.body}</p>
    <p><strong>${m.changedWarning}</strong></p>
    <p>— ${m.signature}</p>`;
  return { subject: v.subject, text, html: layout(locale, body) };
}

export function passwordChangedEmail(locale: Locale, v: { name: string }): RenderedEmail {
  const m = messages(locale).email;
  return noticeEmail(locale, { name: v.name, subject: m.changedSubject, body: m.changedBody });
}

export function twoFactorResetEmail(locale: Locale, v: { name: string }): RenderedEmail {
  const m = messages(locale).email;
  return noticeEmail(locale, { name: v.name, subject: m.twoFactorResetSubject, body: m.twoFactorResetBody });
}

/** The person asked to delete their account: when it is erased, and that they can still cancel. */
export function deletionScheduledEmail(locale: Locale, v: { name: string; purgeAfter: Date }): RenderedEmail {
  const m = messages(locale).email;
  const date = v.purgeAfter.toLocaleDateString(locale, { dateStyle: 'long', timeZone: 'UTC' });
  return noticeEmail(locale, { name: v.name, subject: m.deletionSubject, body: m.deletionBody(date) });
}

/** The person's data export is ready: the link downloads it until it is deleted. */
export function dataExportReadyEmail(
  locale: Locale,
  v: { name: string; link: string; expiresAt: Date },
): RenderedEmail {
  const m = messages(locale).email;
  const when = v.expiresAt.toLocaleString(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  return linkEmail(locale, {
    subject: m.exportSubject,
    name: v.name,
    body: m.exportBody,
    button: m.exportButton,
    link: v.link,
    expiry: m.exportExpiry(`${when} UTC`),
  });
}

/** A sign-in method was linked to or unlinked from the account. */
export function signInMethodEmail(
  locale: Locale,
  v: { name: string; platform: string; change: 'linked' | 'unlinked' },
): RenderedEmail {
  const m = messages(locale).email;
  const [subject, body] =
    v.change === 'linked'
      ? [m.linkedSubject(v.platform), m.linkedBody(v.platform)]
      : [m.unlinkedSubject(v.platform), m.unlinkedBody(v.platform)];
  return noticeEmail(locale, { name: v.name, subject, body });
}
