import express, { Router, type Request, type Response } from 'express';
import { FieldError } from '../../core/accounts/service.js';
import type { Authenticator } from '../../core/auth/authenticator.js';
import { AppError } from '../../core/errors/index.js';
import { CREATE_ADMIN_COMMAND, type FirstAdminSetup } from '../../core/setup/first-admin.js';
import { plainIp } from '../../core/shared/actor.js';
import { messages } from '../../core/i18n/locales.js';
import type { Csrf } from '../../oidc/csrf.js';
import { signedInBy } from '../session-cookie.js';
import { localeOf, type PasswordSignIn } from '../../oidc/password-sign-in.js';
import { sendPage } from '../../oidc/views/respond.js';
import { fieldErrorText, type FormState } from '../views/self-service-pages.js';
import {
  firstRunPage,
  setupFormPage,
  setupRefusedPage,
  startPage,
  type HealthView,
  type StartLink,
} from './pages.js';
import { frontTexts, type FrontTexts } from './texts.js';

/** What this node serves, so the start page offers only places that answer. */
export interface Places {
  account: boolean;
  admin: boolean;
  docs: boolean;
  apiDocs: boolean;
  graphql: boolean;
  /** GraphQL's explorer answers a browser (`graphql.playground`). */
  graphqlExplorer: boolean;
  /** The realtime WebSocket path, when this node serves it. */
  realtime?: string | undefined;
}

/** Heimdall ID's pieces the setup page signs the new administrator in with (absent: oidc.enabled is false). */
export interface FrontSignIn {
  signIn: PasswordSignIn;
  csrf: Csrf;
  sessionCookie: string;
}

export interface FrontDeps {
  version: string;
  places: Places;
  /** The instance's name (the `site.name` setting). */
  name(): Promise<string>;
  setup: FirstAdminSetup;
  /** Prints a new setup link to the log when the last one expired. */
  announceSetupLink(): Promise<void>;
  authenticator: Authenticator;
  health(): Promise<HealthView>;
  kit?: FrontSignIn | undefined;
}

const CSRF_ID = 'setup';

/** A page for people, a small index for machines: what the client asked for first. */
const wantsJson = (req: Request) => req.accepts(['html', 'json']) === 'json';

function linksFor(t: FrontTexts, places: Places, signedIn: boolean): StartLink[] {
  const links: StartLink[] = [];
  if (places.account) {
    links.push(
      signedIn
        ? { href: '/account', label: t.links.account, hint: t.links.accountHint }
        : { href: '/account/login', label: t.links.signIn, hint: t.links.signInHint },
    );
  }
  if (places.admin) links.push({ href: '/admin', label: t.links.admin, hint: t.links.adminHint });
  if (places.docs) links.push({ href: '/docs/', label: t.links.docs, hint: t.links.docsHint });
  if (places.apiDocs) links.push({ href: '/docs/api', label: t.links.api, hint: t.links.apiHint });
  if (places.graphqlExplorer)
    links.push({ href: '/api/graphql', label: t.links.graphql, hint: t.links.graphqlHint });
  links.push({ href: '/policies', label: t.links.policies, hint: t.links.policiesHint });
  return links;
}

/** The endpoints a client can start from, for `Accept: application/json`. */
function endpointIndex(places: Places): Record<string, string> {
  return {
    health: '/health',
    ready: '/ready',
    metrics: '/metrics',
    rest: '/v1',
    openapi: '/v1/openapi.json',
    ...(places.graphql ? { graphql: '/api/graphql' } : {}),
    ...(places.realtime ? { realtime: places.realtime } : {}),
    ...(places.account
      ? {
          openid_configuration: '/oidc/.well-known/openid-configuration',
          account: '/account',
        }
      : {}),
    policies: '/policies',
    security_txt: '/.well-known/security.txt',
    ...(places.admin ? { admin: '/admin' } : {}),
    ...(places.docs ? { docs: '/docs/' } : {}),
    ...(places.apiDocs ? { api_reference: '/docs/api' } : {}),
  };
}

/**
 * `/`, the start page: what this Heimdall is and where to go, with the instance's health for administrators;
 * on a first run, how to create the first administrator. `/setup/<token>`: the one-time page that does it.
 */
export function frontRouter(deps: FrontDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });

  router.get('/', async (req, res) => {
    const [name, needed] = await Promise.all([deps.name(), deps.setup.needed()]);
    if (wantsJson(req)) {
      res.set('Cache-Control', 'no-store').json({
        name,
        version: deps.version,
        setup_required: needed,
        endpoints: endpointIndex(deps.places),
      });
      return;
    }
    const locale = localeOf(req);
    const t = frontTexts(locale);
    if (needed) {
      if (deps.kit) await deps.announceSetupLink();
      const docs = deps.places.docs
        ? `/docs/${locale === 'de' ? 'de/' : ''}guide/first-admin.html`
        : undefined;
      sendPage(
        res,
        200,
        firstRunPage(locale, t, { command: CREATE_ADMIN_COMMAND, setupLinks: Boolean(deps.kit), docs }),
      );
      return;
    }
    const auth = deps.kit && (await signedInBy(deps.authenticator, req, deps.kit.sessionCookie));
    const health = auth?.can('stats', 'read') ? await deps.health() : undefined;
    sendPage(
      res,
      200,
      startPage(locale, t, {
        name,
        links: linksFor(t, deps.places, Boolean(auth)),
        signedInAs: auth?.user?.username,
        ...(health ? { health } : {}),
      }),
    );
  });

  if (deps.kit) setupRoutes(router, deps, deps.kit, form);
  // Every other request (each API call) passes straight on rather than walking these routes.
  const scoped = Router();
  scoped.use((req, res, next) =>
    req.path === '/' || req.path.startsWith('/setup/') ? router(req, res, next) : next(),
  );
  return scoped;
}

function setupRoutes(router: Router, deps: FrontDeps, kit: FrontSignIn, form: express.RequestHandler): void {
  /** Refuses the page when the first run is over or the link is spent; true when it may go on. */
  const usable = async (req: Request, res: Response, token: string): Promise<boolean> => {
    const t = frontTexts(localeOf(req));
    if (!(await deps.setup.needed())) {
      sendPage(res, 409, setupRefusedPage(localeOf(req), t, 'complete'));
      return false;
    }
    if (!(await deps.setup.linkValid(token))) {
      sendPage(res, 410, setupRefusedPage(localeOf(req), t, 'invalid'));
      return false;
    }
    return true;
  };
  const render = (req: Request, res: Response, token: string, status: number, state: FormState) => {
    const locale = localeOf(req);
    sendPage(
      res,
      status,
      setupFormPage(locale, frontTexts(locale), {
        action: `/setup/${token}`,
        csrf: kit.csrf.token(req, res, CSRF_ID),
        state,
        minPassword: deps.setup.minPasswordLength,
      }),
    );
  };

  router.get('/setup/:token', async (req, res) => {
    const token = String(req.params.token);
    // The token is in the address: no page this one links to may learn it from the Referer.
    res.set('Referrer-Policy', 'no-referrer');
    if (await usable(req, res, token)) render(req, res, token, 200, {});
  });

  router.post('/setup/:token', form, async (req, res) => {
    const token = String(req.params.token);
    res.set('Referrer-Policy', 'no-referrer');
    const text = (name: string) =>
      typeof req.body?.[name] === 'string' ? String(req.body[name]).slice(0, 1024) : '';
    const input = {
      email: text('email'),
      username: text('username'),
      password: text('password'),
      confirm: text('confirm'),
    };
    const values = { email: input.email, username: input.username };
    const locale = localeOf(req);
    const m = messages(locale);
    if (!(await usable(req, res, token))) return;
    if (!kit.csrf.valid(req, CSRF_ID, req.body?.csrf)) {
      return render(req, res, token, 403, { values, alert: m.errors.csrf });
    }
    try {
      const admin = await deps.setup.complete(token, input, {
        ip: plainIp(req.ip),
        userAgent: req.get('user-agent'),
      });
      await kit.signIn.start(req, res, {
        userId: admin.userId,
        accountId: admin.accountId,
        amr: ['pwd'],
        clientId: 'setup',
      });
      // Next: a second factor for the account that may do everything.
      res.redirect(303, '/account/security');
    } catch (err) {
      if (err instanceof FieldError) {
        const message = fieldErrorText(m, err.reason, deps.setup.minPasswordLength);
        return render(req, res, token, 422, { values, errors: { [err.field]: message } });
      }
      if (err instanceof AppError && err.code === 'user.invalid_input') {
        return render(req, res, token, 422, { values, alert: err.message });
      }
      if (err instanceof AppError && err.code === 'user.email_taken') {
        return render(req, res, token, 409, {
          values,
          errors: { email: frontTexts(locale).setup.emailTaken },
        });
      }
      if (err instanceof AppError && (err.code === 'setup.complete' || err.code === 'setup.link_invalid')) {
        const reason = err.code === 'setup.complete' ? 'complete' : 'invalid';
        return sendPage(res, err.status, setupRefusedPage(locale, frontTexts(locale), reason));
      }
      throw err;
    }
  });
}
