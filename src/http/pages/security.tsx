import { Hono } from 'hono';
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { renderSVG } from 'uqr';
import { HushError } from '../../kernel/errors.js';
import { maskEmail } from '../../core/identifier.js';
import { runGuarded } from '../../core/guarded-flow.js';
import type { Identity } from '../../core/identity.js';
import { parseFactor } from '../../core/second-factor.js';
import { secondFactorLogin } from '../../core/flows/second-factor.js';
import { disownConfirm } from '../../core/flows/disown.js';
import { confirmTotp, disableTotp, regenerateRecoveryCodes, secondFactorStatus, setupTotp } from '../../core/flows/totp.js';
import { listSessions, revokeOtherSessions, revokeSession } from '../../core/flows/sessions.js';
import type { SessionView } from '../../core/flows/sessions.js';
import type { AccountApiDeps } from '../api/account.js';
import { applySession } from '../respond.js';
import { Field, Form, Layout, Links, PowWidget, Result } from './components.js';
import type { PageShell } from './components.js';
import { stateOf, succeeded } from './state.js';
import type { FormState } from './views-entry.js';

/**
 * The pages of the second factor and the owner's controls (docs/pages.md):
 * the second step of a sign-in, the security page (TOTP with a QR code
 * rendered here as SVG, recovery codes, sessions), and the "this wasn't me"
 * link. The second step and the link run core's guarded flows, as the JSON
 * API does; the security page's forms post to page routes and need no script.
 */
export interface SecurityPagesDeps extends AccountApiDeps {
  shell: PageShell;
  /** Login asks for proof-of-work after failures (HUSH_POW_ENDPOINTS has login): the code page carries the widget, solved on demand. */
  loginPow: boolean;
  /** The shell of a page that loads the proof-of-work widget. */
  powShell: PageShell;
  render: (c: Context, page: JSX.Element, status?: number) => Promise<Response>;
  /** Reads a posted form after the cross-site check, or answers the refusal as a page. */
  readForm: (c: Context) => Promise<Record<string, string> | Response>;
  redirect: (c: Context, to: string) => Response;
}

const FACTOR_LABELS = { code: 'Code' } as const;

export function securityPages(deps: SecurityPagesDeps): Hono {
  const { flows } = deps.guarded;
  const { shell, render } = deps;
  const app = new Hono();

  const codePage = (state: FormState): JSX.Element => <SecondFactorPage shell={deps.loginPow ? deps.powShell : shell} pow={deps.loginPow} state={state} />;
  app.get('/login/second-factor', (c) => render(c, codePage({})));
  app.post('/login/second-factor', async (c) => {
    const fields = await deps.readForm(c);
    if (fields instanceof Response) return fields;
    const outcome = await runGuarded(deps.guarded, secondFactorLogin, { ...fields, second_step: deps.cookie.readSecondStep(c) ?? '' }, deps.client.meta(c));
    applySession(c, outcome, deps.cookie);
    if (outcome.retryAfterSeconds !== undefined) c.header('Retry-After', String(outcome.retryAfterSeconds));
    if (succeeded(outcome.reply)) return deps.redirect(c, '/account');
    return render(c, codePage(stateOf(outcome.reply, FACTOR_LABELS)), outcome.reply.status);
  });

  app.get('/disown', (c) => render(c, <DisownPage shell={shell} state={{}} />));
  app.post('/disown', async (c) => {
    const fields = await deps.readForm(c);
    if (fields instanceof Response) return fields;
    const outcome = await runGuarded(deps.guarded, disownConfirm, fields, deps.client.meta(c));
    applySession(c, outcome, deps.cookie);
    return render(c, <DisownPage shell={shell} state={stateOf(outcome.reply, { token: 'The code' })} />, succeeded(outcome.reply) ? 200 : outcome.reply.status);
  });

  /** The signed-in identity and its session token, or a redirect to sign in. */
  const who = async (c: Context): Promise<{ identity: Identity; token: string } | null> => {
    const token = deps.cookie.read(c);
    const found = token === null ? null : await flows.sessions.validate(flows.store.sessions, token);
    return found === null || token === null ? null : { identity: found.identity, token };
  };
  const securityPage = async (c: Context, state: FormState, status = 200): Promise<Response> => {
    const me = await who(c);
    if (me === null) return deps.redirect(c, '/login');
    const fresh = await flows.store.identities.findById(me.identity.id);
    const identity = fresh ?? me.identity;
    const [factor, sessions] = await Promise.all([secondFactorStatus(flows, identity), listSessions(flows, identity, me.token)]);
    return render(c, <SecurityPage shell={shell} maskedEmail={maskEmail(identity.email)} totp={factor.totp} codesLeft={factor.recovery_codes_left} sessions={sessions} state={state} />, status);
  };
  /** A security form's post: the session's identity, the work, then the page with its result or its error. */
  const action = (path: string, work: (c: Context, fields: Record<string, string>, identity: Identity, token: string) => Promise<string | Response>): void => {
    app.post(path, async (c) => {
      const fields = await deps.readForm(c);
      if (fields instanceof Response) return fields;
      const me = await who(c);
      if (me === null) return deps.redirect(c, '/login');
      try {
        const out = await work(c, fields, me.identity, me.token);
        return out instanceof Response ? out : await securityPage(c, { result: out });
      } catch (err) {
        if (!(err instanceof HushError)) throw err;
        return securityPage(c, { error: err.message }, err.status);
      }
    });
  };

  app.get('/account/security', (c) => securityPage(c, {}));
  action('/account/security/totp/setup', async (c, _fields, identity) => {
    const setup = await setupTotp(flows, identity);
    return render(c, <TotpSetupPage shell={shell} secret={setup.secret} uri={setup.otpauth_uri} />);
  });
  action('/account/security/totp/confirm', async (c, fields, identity) => {
    const { recovery_codes } = await confirmTotp(flows, identity, fields.code ?? '', deps.client.meta(c));
    return render(c, <RecoveryCodesPage shell={shell} codes={recovery_codes} title="Two-step sign-in is on" />);
  });
  action('/account/security/totp/remove', async (c, fields, identity) => {
    await disableTotp(flows, identity, parseFactor(fields), deps.client.meta(c));
    return 'The authenticator app was removed. Signing in no longer asks for a code.';
  });
  action('/account/security/recovery-codes', async (c, fields, identity) => {
    const { recovery_codes } = await regenerateRecoveryCodes(flows, identity, fields.code ?? null, deps.client.meta(c));
    return render(c, <RecoveryCodesPage shell={shell} codes={recovery_codes} title="Your new recovery codes" />);
  });
  action('/account/security/sessions/revoke', async (c, fields, identity) => {
    if (!(await revokeSession(flows, identity, fields.id ?? '', deps.client.meta(c)))) throw new HushError('HUSH_NOT_FOUND');
    return 'That session was signed out.';
  });
  action('/account/security/sessions/revoke-others', async (c, _fields, identity, token) => {
    const n = await revokeOtherSessions(flows, identity, token, deps.client.meta(c));
    return n === 1 ? 'One other session was signed out.' : `${n} other sessions were signed out.`;
  });
  return app;
}

/** The code field of the second factor: six digits from the app, or a recovery code. */
export const FactorField: FC<{ form: string; state: FormState; hint?: string; optional?: boolean }> = ({ form, state, hint, optional }) => (
  <Field
    form={form}
    name="code"
    label="Code"
    type="text"
    autocomplete="one-time-code"
    hint={hint ?? 'The 6-digit code from your authenticator app, or one of your recovery codes.'}
    errors={state.errors}
    optional={optional}
  />
);

/** Each code counts as a login attempt, so after failures it may need the proof-of-work too, solved only when the server asks. */
const SecondFactorPage: FC<{ shell: PageShell; pow: boolean; state: FormState }> = ({ shell, pow, state }) => (
  <Layout shell={shell} title="Enter your code">
    <h1>Enter your code</h1>
    <p>Your account asks for a second step. Open your authenticator app and enter the code it shows now.</p>
    <Form id="second" action="/login/second-factor" api="/v1/login/second-factor" next="/account" pow={pow ? 'on-demand' : undefined} error={state.error} submit="Sign in">
      <FactorField form="second" state={state} />
      {pow ? <PowWidget action="login" /> : null}
    </Form>
    <Links
      links={[
        { href: '/login', text: 'Start again with your email and password' },
        { href: '/forgot', text: 'Lost your app and your recovery codes? Reset your password' },
      ]}
    />
  </Layout>
);

const DisownPage: FC<{ shell: PageShell; state: FormState }> = ({ shell, state }) => (
  <Layout shell={shell} title="This wasn't me">
    <h1>This wasn't me</h1>
    <div data-hide-when-done="" hidden={state.result !== undefined}>
      <p>Press the button to sign every session of your account out. We then mail you a link to choose a new password.</p>
      <Form id="disown" action="/disown" api="/v1/disown" error={state.error} submit="Sign out everywhere and reset my password">
        <Field form="disown" name="token" label="Code" hint="The part of the link in your email after #token=" type="text" autocomplete="off" token errors={state.errors} />
      </Form>
    </div>
    <Result message={state.result} />
    <Links links={[{ href: '/login', text: 'Sign in' }]} />
  </Layout>
);

interface SecurityProps {
  shell: PageShell;
  maskedEmail: string;
  totp: boolean;
  codesLeft: number;
  sessions: readonly SessionView[];
  state: FormState;
}

/** A form that posts to a page route, with nothing for the script to take over. */
const PlainForm: FC<{ action: string; submit: string; secondary?: boolean; children?: JSX.Element | JSX.Element[] }> = ({ action, submit, secondary, children }) => (
  <form method="post" action={action}>
    {children}
    <button type="submit" class={secondary === true ? 'secondary' : undefined}>
      {submit}
    </button>
  </form>
);

const when = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const SecurityPage: FC<SecurityProps> = ({ shell, maskedEmail, totp, codesLeft, sessions, state }) => (
  <Layout shell={shell} title="Sign-in and security">
    <h1>Sign-in and security</h1>
    <p>
      Signed in as <strong>{maskedEmail}</strong>.
    </p>
    <div class="alert" role="alert">
      {state.error}
    </div>
    {state.result === undefined ? null : (
      <p class="notice" role="status">
        {state.result}
      </p>
    )}
    <section aria-labelledby="totp-heading">
      <h2 id="totp-heading">Two-step sign-in</h2>
      {totp ? (
        <>
          <p>
            On: signing in asks for a code from your authenticator app. You have {codesLeft} recovery {codesLeft === 1 ? 'code' : 'codes'} left.
          </p>
          <PlainForm action="/account/security/recovery-codes" submit="Make new recovery codes" secondary>
            <Field form="regen" name="code" label="Code from your app" type="text" autocomplete="one-time-code" />
          </PlainForm>
          <PlainForm action="/account/security/totp/remove" submit="Turn two-step sign-in off" secondary>
            <Field form="remove" name="code" label="Code from your app, or a recovery code" type="text" autocomplete="one-time-code" />
          </PlainForm>
        </>
      ) : (
        <>
          <p>Off. Add an authenticator app so that a stolen password is not enough to sign in.</p>
          <PlainForm action="/account/security/totp/setup" submit="Set up an authenticator app" />
        </>
      )}
    </section>
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      <ul class="sessions">
        {sessions.map((s) => (
          <li>
            <strong>{s.device}</strong>
            {s.current ? ' (this device)' : ''}
            <br />
            <span class="meta">
              Signed in {when(s.created_at)}, last active {when(s.last_seen_at)}
            </span>
            {s.current ? null : (
              <PlainForm action="/account/security/sessions/revoke" submit={`Sign out ${s.device}`} secondary>
                <input type="hidden" name="id" value={s.id} />
              </PlainForm>
            )}
          </li>
        ))}
      </ul>
      {sessions.length > 1 ? <PlainForm action="/account/security/sessions/revoke-others" submit="Sign out all other sessions" /> : null}
    </section>
    <Links links={[{ href: '/account', text: 'Back to your account' }]} />
  </Layout>
);

const TotpSetupPage: FC<{ shell: PageShell; secret: string; uri: string }> = ({ shell, secret, uri }) => (
  <Layout shell={shell} title="Set up an authenticator app">
    <h1>Set up an authenticator app</h1>
    <p>Scan this code with your authenticator app, or type the key below into it. This is the only time it is shown.</p>
    <figure class="qr" role="img" aria-label="QR code of your authenticator key" dangerouslySetInnerHTML={{ __html: renderSVG(uri, { border: 2 }) }}></figure>
    <p>
      Key: <code class="secret">{secret.match(/.{1,4}/g)?.join(' ') ?? secret}</code>
    </p>
    <PlainForm action="/account/security/totp/confirm" submit="Turn on two-step sign-in">
      <Field form="confirm" name="code" label="The 6-digit code your app shows now" type="text" autocomplete="one-time-code" />
    </PlainForm>
    <Links links={[{ href: '/account/security', text: 'Cancel' }]} />
  </Layout>
);

const RecoveryCodesPage: FC<{ shell: PageShell; codes: readonly string[]; title: string }> = ({ shell, codes, title }) => (
  <Layout shell={shell} title={title}>
    <h1>{title}</h1>
    <p>
      Keep these recovery codes somewhere safe, apart from your phone. Each one signs you in once if you lose your authenticator app. They are shown only
      now.
    </p>
    <ol class="codes">
      {codes.map((code) => (
        <li>{code}</li>
      ))}
    </ol>
    <Links links={[{ href: '/account/security', text: 'I have saved them: back to sign-in and security' }]} />
  </Layout>
);
