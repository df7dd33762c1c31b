import type { AddressInfo } from 'node:net';
import { afterAll } from '@jest/globals';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for tests: Heimdall's mailer (nodemailer) delivers to it over the network like to
 * any MTA, and every message is parsed with mailparser so tests read the actual text and HTML parts and follow
 * the links in them. Point the platform at it with `HEIMDALL__EMAIL__SMTP_URL: sink.url`.
 */
export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), lower-cased: who the message was really sent to. */
  to: string[];
  /** Envelope sender (MAIL FROM). */
  from: string;
  subject: string;
  /** The text/plain part ('' when absent). */
  text: string;
  /** The text/html part (undefined when absent). */
  html: string | undefined;
  parsed: ParsedMail;
  receivedAt: Date;
}

export type MailMatch = ((mail: ReceivedMail) => boolean) | { to: string; subject?: string | RegExp };

export interface SmtpSink {
  /** smtp://127.0.0.1:PORT */
  readonly url: string;
  /** Every message received so far, oldest first. */
  readonly messages: ReceivedMail[];
  /** Messages whose envelope names `address`. */
  to(address: string): ReceivedMail[];
  /**
   * The first message matching, received already or arriving within `timeoutMs`. To wait for a *new* message
   * only, pass `{ after: n }` with the `messages.length` taken before the action.
   */
  waitFor(match: MailMatch, timeoutMs?: number, options?: { after?: number }): Promise<ReceivedMail>;
  /** The absolute URL in the message's text part whose path starts with `pathPrefix` (throws if none). */
  linkIn(mail: ReceivedMail, pathPrefix: string): string;
  close(): Promise<void>;
}

function matcher(match: MailMatch): (mail: ReceivedMail) => boolean {
  if (typeof match === 'function') return match;
  const address = match.to.toLowerCase();
  return (mail) =>
    mail.to.includes(address) &&
    (match.subject === undefined ||
      (typeof match.subject === 'string'
        ? mail.subject === match.subject
        : match.subject.test(mail.subject)));
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Tests end quickly: don't wait 30 s for a lingering client when closing.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      // The 250 reply (and so the sender's sendMail) comes only once the message is parsed and stored.
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((a) => a.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: parsed.html === false ? undefined : parsed.html,
            parsed,
            receivedAt: new Date(),
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A failing client connection must not crash the test process.
  server.on('error', () => {});
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (address) => messages.filter((m) => m.to.includes(address.toLowerCase())),

    waitFor(match, timeoutMs = 5000, options = {}) {
      const test = matcher(match);
      const find = () => messages.slice(options.after ?? 0).find(test);
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const wake = () => {
          const mail = find();
          if (!mail) return;
          cleanup();
          resolve(mail);
        };
        const timer = setTimeout(() => {
          cleanup();
          const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
          reject(
            new Error(
              `No matching email within ${timeoutMs} ms (${typeof match === 'function' ? 'predicate' : JSON.stringify({ to: match.to, subject: String(match.subject ?? '') })}); received: ${seen}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
      });
    },

    linkIn(mail, pathPrefix) {
      for (const [candidate] of mail.text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
        const url = new URL(candidate);
        if (url.pathname.startsWith(pathPrefix)) return url.toString();
      }
      throw new Error(`No link to ${pathPrefix} in the email "${mail.subject}":\n${mail.text}`);
    },

    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A sink for the whole test file, closed after it. Call it at module level with top-level await, before the
 * platform is configured, so its URL can go into the platform's config:
 *
 *   const sink = await useSmtpSink();
 *   describe('…', () => { const t = useOidcPlatform({ HEIMDALL__EMAIL__SMTP_URL: sink.url }); … });
 *
 * (afterAll at module level runs after the describe blocks' own, so the platform stops sending first.)
 */
export async function useSmtpSink(): Promise<SmtpSink> {
  const sink = await startSmtpSink();
  afterAll(() => sink.close());
  return sink;
}
