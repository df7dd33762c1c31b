import nodemailer from 'nodemailer';
import type { Logger } from '../logger/logger.js';

/**
 * Sending email: SMTP from config (`email.smtp_url`, e.g. MailDev in docker-compose). Without one,
 * messages are written to the log instead, so a fresh `npm start` still shows verification and reset links.
 */
export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: Email): Promise<void>;
  close(): void;
}

export function createMailer(options: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  if (!options.smtpUrl) {
    options.logger.warn('no email.smtp_url configured: emails are written to this log instead of being sent');
    return {
      async send(email) {
        options.logger.info(
          { to: email.to, subject: email.subject, text: email.text },
          'email (not sent: no SMTP)',
        );
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(options.smtpUrl);
  return {
    async send(email) {
      await transport.sendMail({ from: options.from, ...email });
    },
    close: () => transport.close(),
  };
}
