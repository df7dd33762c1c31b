import { describe, expect, it } from '@jest/globals';
import { en } from '../../core/i18n/en.js';
import { createPasswordUser } from '../support/oidc.js';
import { useSmtpSink, type ReceivedMail } from '../support/smtp.js';
import { EMAILS_PER_HOUR, Visitor, text, useAccountsPlatform } from './accounts.js';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/** Accounts through real email, set up in accounts.ts: how many emails an address is sent. */
describe('Heimdall ID accounts: how many emails an address is sent', () => {
  const { t, newPerson, register, expectNoNewMail } = useAccountsPlatform(sink);

  it(`sends at most ${EMAILS_PER_HOUR} emails per address per hour, refusing known and unknown addresses alike`, async () => {
    const known = await createPasswordUser(t.db);
    const unknown = `${newPerson().username}@example.test`;
    const visitor = new Visitor(t.url);
    const forgot = async (email: string) => {
      const res = await visitor.submit('/account/forgot', { email });
      return { status: res.status, body: res.body.replaceAll(text(email), 'EMAIL') };
    };

    for (let i = 1; i <= EMAILS_PER_HOUR; i++) {
      expect(await forgot(known.email)).toMatchObject({ status: 200 });
      expect(await forgot(unknown)).toMatchObject({ status: 200 });
      await sink.waitFor(() => sink.to(known.email).length >= i, 5000);
    }
    const before = sink.messages.length;
    const overKnown = await forgot(known.email);
    const overUnknown = await forgot(unknown);
    expect(overKnown.status).toBe(429);
    expect(overKnown.body).toContain(text(en.errors.tooManyEmails));
    expect(overUnknown).toEqual(overKnown);
    // The count is per address whatever its spelling.
    expect((await forgot(known.email.toUpperCase())).status).toBe(429);
    await expectNoNewMail(before);

    // Each new link voids the previous one.
    const links = sink.to(known.email).map((m: ReceivedMail) => sink.linkIn(m, '/account/reset'));
    expect(links).toHaveLength(EMAILS_PER_HOUR);
    expect((await new Visitor(t.url).request(links[0]!)).status).toBe(410);
    expect((await new Visitor(t.url).request(links.at(-1)!)).status).toBe(200);

    // Resending the confirmation link counts the registration's email too: after it, N-1 more.
    const who = newPerson();
    expect((await register(new Visitor(t.url), who)).status).toBe(200);
    const first = await sink.waitFor({ to: who.email, subject: en.email.verifySubject }, 5000);
    const resend = (email: string) =>
      visitor.submit(`/account/verify/resend?email=${encodeURIComponent(email)}`, {});
    for (let i = 2; i <= EMAILS_PER_HOUR; i++) {
      const res = await resend(who.email);
      expect(res.status).toBe(200);
      expect(res.form.fields.email).toBe(who.email); // prefilled from the sign-in page's link
    }
    await sink.waitFor(() => sink.to(who.email).length === EMAILS_PER_HOUR, 5000);
    const refused = await resend(who.email);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain(text(en.errors.tooManyEmails));
    // The first link was voided by the later ones; the newest one works.
    expect((await new Visitor(t.url).request(sink.linkIn(first, '/account/verify'))).status).toBe(410);
    const newest = sink.to(who.email).at(-1)!;
    expect((await new Visitor(t.url).request(sink.linkIn(newest, '/account/verify'))).status).toBe(200);

    const stranger = `${newPerson().username}@example.test`;
    for (let i = 1; i <= EMAILS_PER_HOUR; i++) expect((await resend(stranger)).status).toBe(200);
    const strangerRefused = await resend(stranger);
    expect(strangerRefused.status).toBe(429);
    expect(strangerRefused.body.replaceAll(text(stranger), 'EMAIL')).toBe(
      refused.body.replaceAll(text(who.email), 'EMAIL'),
    );
    expect(sink.to(stranger)).toEqual([]);
  });
});
