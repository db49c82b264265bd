import type { FC } from 'hono/jsx';
import type { MailboxMessage } from '../../mail/index.js';
import { Field, Form, Layout, Links, Result } from './components.js';
import type { PageShell } from './components.js';
import type { FormState } from './views-entry.js';
import { FactorField } from './security.js';

/**
 * The pages a mail link opens (reset, verify), the signed-in page, a plain
 * message page, and the dev mailbox. Link pages take the token from the URL
 * fragment through the page script; without JavaScript the code can be pasted.
 */

interface TokenPageProps {
  shell: PageShell;
  state: FormState;
  passwordMinLength: number;
}

const done = (s: FormState): boolean => s.result !== undefined;

export const ResetPage: FC<TokenPageProps> = ({ shell, state, passwordMinLength }) => (
  <Layout shell={shell} title="Choose a new password">
    <h1>Choose a new password</h1>
    <div data-hide-when-done="" hidden={done(state)}>
      <Form id="reset" action="/reset" api="/v1/recovery/confirm" error={state.error} submit="Save new password">
        <Field
          form="reset"
          name="token"
          label="Reset code"
          hint="The part of the link in your email after #token="
          type="text"
          autocomplete="one-time-code"
          token
          errors={state.errors}
        />
        <Field
          form="reset"
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          minlength={passwordMinLength}
          hint={`At least ${passwordMinLength} characters. A few unrelated words make a strong password.`}
          errors={state.errors}
        />
        <FactorField
          form="reset"
          state={state}
          optional
          hint="Only if you turned on two-step sign-in: the 6-digit code from your authenticator app, or one of your recovery codes."
        />
      </Form>
    </div>
    <Result message={state.result} />
    <Links
      links={[
        { href: '/login', text: 'Sign in' },
        { href: '/forgot', text: 'Ask for a new reset link' },
      ]}
    />
  </Layout>
);

export const VerifyPage: FC<{ shell: PageShell; state: FormState }> = ({ shell, state }) => (
  <Layout shell={shell} title="Confirm your address">
    <h1>Confirm your address</h1>
    <p>Press the button to confirm your email address and sign in. If you are new here, you choose your password next.</p>
    <Form id="verify" action="/verify" api="/v1/verify" next="/account" error={state.error} submit="Confirm my address">
      <Field
        form="verify"
        name="token"
        label="Confirmation code"
        hint="The part of the link in your email after #token="
        type="text"
        autocomplete="one-time-code"
        token
        errors={state.errors}
      />
    </Form>
    <Links
      links={[
        { href: '/signup', text: 'Link expired? Sign up again for a new one' },
        { href: '/magic', text: 'Email me a sign-in link instead' },
      ]}
    />
  </Layout>
);

/** What the signed-in page knows of its identity and session: nothing but whether a password can be set or changed. */
export interface AccountProps {
  shell: PageShell;
  maskedEmail: string;
  state: FormState;
  passwordMinLength: number;
  /** The identity has a password: changing it needs the current one. */
  hasPassword: boolean;
  /** The session was opened recently enough (core/flows/account.ts `FRESH_SESSION_MS`) to set a first password without a current one. */
  freshSession: boolean;
}

const NewPasswordField: FC<{ passwordMinLength: number; state: FormState; hint: string }> = ({ passwordMinLength, state, hint }) => (
  <Field
    form="password"
    name="password"
    label="New password"
    type="password"
    autocomplete="new-password"
    minlength={passwordMinLength}
    hint={`At least ${passwordMinLength} characters. ${hint}`}
    errors={state.errors}
  />
);

/**
 * The signed-in page. An identity with a password changes it (current one
 * required); one without (a verified sign-up, a magic link) chooses its first
 * one, with no current password, from a fresh session; from an older session
 * the page says to use "forgot password", which mails a link.
 */
export const AccountPage: FC<AccountProps> = ({ shell, maskedEmail, state, passwordMinLength, hasPassword, freshSession }) => (
  <Layout shell={shell} title="Your account">
    <h1>Your account</h1>
    <p>
      You are signed in as <strong>{maskedEmail}</strong>.
    </p>
    {hasPassword ? (
      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Change your password</h2>
        <div data-hide-when-done="" hidden={done(state)}>
          <Form id="password" action="/account/password" api="/v1/password" error={state.error} submit="Change password">
            <Field form="password" name="current" label="Current password" type="password" autocomplete="current-password" errors={state.errors} />
            <NewPasswordField passwordMinLength={passwordMinLength} state={state} hint="Your other devices will be signed out." />
          </Form>
        </div>
        <Result message={state.result} />
      </section>
    ) : (
      <section aria-labelledby="password-heading">
        <h2 id="password-heading">Choose a password</h2>
        {freshSession || done(state) ? (
          <>
            <div data-hide-when-done="" hidden={done(state)}>
              <p>Your account has no password yet. Choose one to sign in with from now on.</p>
              <Form id="password" action="/account/password" api="/v1/password" error={state.error} submit="Save password">
                <NewPasswordField passwordMinLength={passwordMinLength} state={state} hint="A few unrelated words make a strong password." />
              </Form>
            </div>
            <Result message={state.result} />
          </>
        ) : (
          <>
            <p>Your account has no password yet. To choose one, ask for a link by email: it lets you set your password.</p>
            <Links links={[{ href: '/forgot', text: 'Email me a link to choose a password' }]} />
          </>
        )}
      </section>
    )}
    <Links links={[{ href: '/account/security', text: 'Sign-in and security: two-step sign-in, where you are signed in' }]} />
    <section aria-labelledby="signout-heading">
      <h2 id="signout-heading">Sign out</h2>
      <Form id="logout" action="/logout" api="/v1/logout" next="/login" submit="Sign out of this device" />
    </section>
  </Layout>
);

/** A page that only says something: a refused form, an expired session. */
export const MessagePage: FC<{ shell: PageShell; title: string; message: string; links: readonly { href: string; text: string }[] }> = (p) => (
  <Layout shell={p.shell} title={p.title}>
    <h1>{p.title}</h1>
    <p class="alert" role="alert">
      {p.message}
    </p>
    <Links links={p.links} />
  </Layout>
);

export const MailboxPage: FC<{ shell: PageShell; messages: readonly MailboxMessage[] }> = ({ shell, messages }) => (
  <Layout shell={shell} title="Dev mailbox">
    <h1>Dev mailbox</h1>
    <p>
      Mail that would have been sent, newest first. This page exists only while no SMTP server is configured, and answers only requests from this
      machine.
    </p>
    {messages.length === 0 ? <p>No mail yet. Sign up or ask for a link, then reload this page.</p> : null}
    {[...messages].reverse().map((m, i) => (
      <article class="mail" aria-labelledby={`mail-${i}`}>
        <h2 id={`mail-${i}`}>{m.subject}</h2>
        <p class="meta">
          To {m.to}, {Number.isNaN(m.date.getTime()) ? 'date unknown' : m.date.toISOString().replace('T', ' ').slice(0, 19)} UTC
        </p>
        {m.links.length > 0 ? (
          <ul class="links">
            {m.links.map((l) => (
              <li>
                <a href={l} rel="noreferrer">
                  {linkText(l)}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
        <pre>{m.text}</pre>
      </article>
    ))}
    <Links links={[{ href: '/login', text: 'Sign in' }]} />
  </Layout>
);

/** A link's visible text: its page, never the token (shown once, in the message body). */
function linkText(link: string): string {
  try {
    const u = new URL(link);
    return `Open ${u.host}${u.pathname}${u.hash === '' ? '' : ' (with its code)'}`;
  } catch {
    return 'Open link';
  }
}
