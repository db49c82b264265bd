import { Hono } from 'hono';
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Config } from '../../kernel/config.js';
import { HushError } from '../../kernel/errors.js';
import { maskEmail } from '../../core/identifier.js';
import { runGuarded, runLogout, runPasswordChange } from '../../core/guarded-flow.js';
import { isFreshSession, login, magicConfirm, magicRequest, recoveryConfirm, recoveryRequest, signup, verify } from '../../core/flows/index.js';
import type { GuardedFlow } from '../../core/flows/index.js';
import { readBody } from '../body.js';
import { csrfRefusal } from '../csrf.js';
import { PAGE_CSP, refuseInsecureTokens } from '../security.js';
import type { AccountApiDeps } from '../api/account.js';
import { applySession } from '../respond.js';
import { acceptedReturnTo, returnToSettings } from '../return-to.js';
import { pageAssets } from './assets.js';
import { ReturnTo } from './components.js';
import type { PageShell } from './components.js';
import { stateOf, stringFields, succeeded } from './state.js';
import { devMailbox } from './mailbox.js';
import { securityPages } from './security.js';
import { themeFor } from './theme.js';
import { ForgotPage, LoginPage, MagicPage, SignupPage } from './views-entry.js';
import type { EntryProps, FormState } from './views-entry.js';
import { AccountPage, MessagePage, ResetPage, VerifyPage } from './views-other.js';

/**
 * The hosted pages (docs/pages.md): sign in, sign up, forgot and reset
 * password, magic link, verify, the signed-in page, and the dev mailbox.
 * Mount with the API's own dependencies plus the configuration:
 *
 *     hostedPages({ config, guarded, cookie, client })
 *
 * A form post runs its flow through core's guarded-flow runner, exactly as
 * the JSON API does (never through the API over HTTP), and renders the
 * Outcome.
 *
 * Every page carries its own strict headers (CSP with scripts and styles from
 * hush only, no referrer, no caching, no framing), so the pages are safe even
 * where the global security middleware is not mounted. Form posts are checked
 * for cross-site origin before anything else.
 */
export interface HostedPagesDeps extends AccountApiDeps {
  config: Config;
}

const LABELS = { email: 'Email address', password: 'Password', token: 'The code', current: 'Current password' } as const;
const TOKEN_PAGES = ['/reset', '/verify', '/magic/confirm', '/disown'];
const NEW_PASSWORD_LABELS = { ...LABELS, password: 'New password' } as const;

export function hostedPages(deps: HostedPagesDeps): Hono {
  const { config } = deps;
  const { flows, logger } = deps.guarded;
  const assets = pageAssets({ theme: themeFor(config.brandColor), logger, ...(config.logoFile === undefined ? {} : { logoFile: config.logoFile }) });
  const brand = { productName: config.productName, ...(assets.urls.logo === undefined ? {} : { logoUrl: assets.urls.logo }) };
  const shell = (pow: boolean): PageShell => ({ brand, assets: assets.urls, pow });
  const powFor = (action: 'signup' | 'recovery' | 'magic-link' | 'login'): boolean => config.pow && config.powEndpoints.includes(action);
  const entry = (action: 'signup' | 'recovery' | 'magic-link' | 'login', state: FormState): EntryProps => ({
    shell: shell(powFor(action)),
    state,
    honeypotField: config.honeypotField,
    pow: powFor(action),
    passwordMinLength: config.passwordMinLength,
  });
  const allowed = new Set([config.origin, ...config.corsOrigins]);
  const returnTo = returnToSettings(flows.settings);
  const render = (c: Context, page: JSX.Element, status = 200): Promise<Response> =>
    renderPage(c, <ReturnTo.Provider value={acceptedReturnTo(postedReturnTo.get(c.req.raw) ?? c.req.query('return_to'), returnTo)}>{page}</ReturnTo.Provider>, status);

  const app = new Hono();
  app.route('/', assets.routes);
  app.get('/', (c) => {
    pageHeaders(c);
    return c.redirect('/account', 303); // which sends a signed-out visitor on to /login
  });

  // A token posted from a page without JavaScript crossed the network in its body: on an https
  // origin, one that arrived over plain http is refused, as the API's token endpoints are.
  const insecure = refuseInsecureTokens({ origin: config.origin, trust: deps.client.trust, tokenPaths: TOKEN_PAGES });
  app.on('POST', TOKEN_PAGES, insecure);

  /** Reads a posted form after the cross-site check; a refusal or a bad body is answered as a page. */
  const readForm = async (c: Context): Promise<Record<string, string> | Response> => {
    const refused = csrfRefusal(c.req.method, c.req.raw.headers, allowed);
    if (refused !== null) return await problem(c, new HushError('HUSH_CSRF'));
    try {
      const fields = stringFields(await readBody(c.req.raw));
      postedReturnTo.set(c.req.raw, fields.return_to);
      return fields;
    } catch (err) {
      if (err instanceof HushError) return await problem(c, err);
      throw err;
    }
  };

  const problem = (c: Context, err: HushError): Promise<Response> =>
    render(c, <MessagePage shell={shell(false)} title="This form could not be sent" message={err.message} links={[{ href: '/login', text: 'Back to sign in' }]} />, err.status);

  /** A form's post: runs its guarded flow, then redirects on success (when the form has a next page) or renders the page with the reply. */
  const post = <I,>(
    path: string,
    flow: GuardedFlow<I>,
    view: (state: FormState) => JSX.Element,
    options: { next?: string; labels?: Readonly<Record<string, string>>; keepEmail?: boolean } = {},
  ): void => {
    app.post(path, async (c) => {
      const fields = await readForm(c);
      if (fields instanceof Response) return fields;
      const outcome = await runGuarded(deps.guarded, flow, fields, deps.client.meta(c));
      applySession(c, outcome, deps.cookie);
      if (outcome.retryAfterSeconds !== undefined) c.header('Retry-After', String(outcome.retryAfterSeconds));
      const ok = succeeded(outcome.reply);
      // A first factor that opened a second step (an account with TOTP) goes on to the code.
      const next = outcome.secondStep === undefined ? options.next : '/login/second-factor';
      if (ok && next !== undefined) {
        pageHeaders(c);
        const accepted = acceptedReturnTo(fields.return_to, returnTo);
        // The second step carries where to go next in its own query; its form keeps it (the ReturnTo context).
        if (outcome.secondStep !== undefined) return c.redirect(accepted === null ? next : `${next}?return_to=${encodeURIComponent(accepted)}`, 303);
        return c.redirect(accepted ?? next, 303);
      }
      const state = stateOf(outcome.reply, options.labels ?? LABELS, options.keepEmail === true ? fields.email : undefined);
      return render(c, view(state), ok ? 200 : outcome.reply.status);
    });
  };

  app.get('/login', (c) => render(c, <LoginPage {...entry('login', {})} />));
  post('/login', login, (s) => <LoginPage {...entry('login', s)} />, { next: '/account', keepEmail: true });

  app.get('/signup', (c) => render(c, <SignupPage {...entry('signup', {})} />));
  post('/signup', signup, (s) => <SignupPage {...entry('signup', s)} />, { keepEmail: true });

  app.get('/forgot', (c) => render(c, <ForgotPage {...entry('recovery', {})} />));
  post('/forgot', recoveryRequest, (s) => <ForgotPage {...entry('recovery', s)} />, { keepEmail: true });

  app.get('/magic', (c) => render(c, <MagicPage {...entry('magic-link', {})} confirm={{}} />));
  post('/magic', magicRequest, (s) => <MagicPage {...entry('magic-link', s)} confirm={{}} />, { keepEmail: true });
  post('/magic/confirm', magicConfirm, (s) => <MagicPage {...entry('magic-link', {})} confirm={s} />, { next: '/account' });

  const min = config.passwordMinLength;
  app.get('/reset', (c) => render(c, <ResetPage shell={shell(false)} state={{}} passwordMinLength={min} />));
  post('/reset', recoveryConfirm, (s) => <ResetPage shell={shell(false)} state={s} passwordMinLength={min} />, { labels: NEW_PASSWORD_LABELS });

  app.get('/verify', (c) => render(c, <VerifyPage shell={shell(false)} state={{}} />));
  post('/verify', verify, (s) => <VerifyPage shell={shell(false)} state={s} />, { next: '/account' });

  /** The signed-in identity as the account page shows it: masked address, whether it has a password, whether the session may set a first one. */
  const signedIn = async (c: Context): Promise<{ maskedEmail: string; hasPassword: boolean; freshSession: boolean } | null> => {
    const token = deps.cookie.read(c);
    const found = token === null ? null : await flows.sessions.validate(flows.store.sessions, token);
    if (found === null) return null;
    const freshSession = isFreshSession(found.session.createdAt, flows.clock.now());
    return { maskedEmail: maskEmail(found.identity.email), hasPassword: found.identity.passwordHash !== null, freshSession };
  };
  const account = (c: Context, state: FormState): Promise<Response> =>
    signedIn(c).then((who) => {
      if (who === null) {
        pageHeaders(c);
        return c.redirect('/login', 303);
      }
      return render(c, <AccountPage shell={shell(false)} {...who} state={state} passwordMinLength={min} />, state.errors === undefined || state.result !== undefined ? 200 : 400);
    });
  app.get('/account', (c) => account(c, {}));
  app.post('/account/password', async (c) => {
    const fields = await readForm(c);
    if (fields instanceof Response) return fields;
    const outcome = await runPasswordChange(deps.guarded, fields, deps.cookie.read(c), deps.client.meta(c));
    applySession(c, outcome, deps.cookie);
    return account(c, stateOf(outcome.reply, NEW_PASSWORD_LABELS));
  });
  app.post('/logout', async (c) => {
    const fields = await readForm(c);
    if (fields instanceof Response) return fields;
    applySession(c, await runLogout(deps.guarded, deps.cookie.read(c), deps.client.meta(c)), deps.cookie);
    pageHeaders(c);
    return c.redirect('/login', 303);
  });

  app.route('/', securityPages({ ...deps, shell: shell(false), loginPow: powFor('login'), powShell: shell(true), render, readForm, redirect: (c, to) => (pageHeaders(c), c.redirect(to, 303)) }));
  if (config.smtpUrl === undefined) app.route('/', devMailbox({ dataDir: config.dataDir, shell: shell(false), render: renderPage }));
  return app;
}

/** The headers every page carries (the global security middleware sets the same values when mounted). */
export function pageHeaders(c: Context): void {
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
}

/** The `return_to` a page's form posted, for the page that answers it (keyed by the request; gone with it). */
const postedReturnTo = new WeakMap<Request, string | undefined>();

export { renderPage as render };
async function renderPage(c: Context, page: JSX.Element, status = 200): Promise<Response> {
  pageHeaders(c);
  const html = `<!DOCTYPE html>${String(await page)}`;
  return c.html(html, status as 200);
}
