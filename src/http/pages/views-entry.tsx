import type { FC } from 'hono/jsx';
import { Field, Form, Honeypot, Layout, Links, PowWidget, Result } from './components.js';
import type { FieldErrors, PageShell } from './components.js';

/**
 * The pages that start a flow from an address: sign in, sign up, forgot
 * password, and the magic-link request. After a form is done each shows the
 * flow's one reply in place of the form, so the page is the same whether or
 * not the address has an account.
 */

/** What a page shows after a post without JavaScript (or nothing, on first load). */
export interface FormState {
  email?: string;
  errors?: FieldErrors;
  /** A message about the whole form (bad link, too many attempts, proof-of-work missing). */
  error?: string;
  /** The flow's reply, shown in place of the form. */
  result?: string;
}

export interface EntryProps {
  shell: PageShell;
  state: FormState;
  honeypotField: string;
  /** Whether this flow needs a proof-of-work (config.pow and HUSH_POW_ENDPOINTS). */
  pow: boolean;
  passwordMinLength: number;
}

const done = (s: FormState): boolean => s.result !== undefined;

export const LoginPage: FC<EntryProps> = ({ shell, state, honeypotField, pow }) => (
  <Layout shell={shell} title="Sign in">
    <h1>Sign in</h1>
    <Form id="login" action="/login" api="/v1/login" next="/account" pow={pow ? 'on-demand' : undefined} error={state.error} submit="Sign in">
      <Field form="login" name="email" label="Email address" type="email" autocomplete="username" value={state.email} errors={state.errors} />
      <Field form="login" name="password" label="Password" type="password" autocomplete="current-password" errors={state.errors} />
      <Honeypot form="login" field={honeypotField} />
      {pow ? <PowWidget action="login" /> : null}
    </Form>
    <Links
      links={[
        { href: '/forgot', text: 'Forgot your password?' },
        { href: '/magic', text: 'Email me a sign-in link instead' },
        { href: '/signup', text: 'New here? Create an account' },
      ]}
    />
  </Layout>
);

export const SignupPage: FC<EntryProps> = ({ shell, state, honeypotField, pow }) => (
  <Layout shell={shell} title="Create an account">
    <h1>Create an account</h1>
    <div data-hide-when-done="" hidden={done(state)}>
      <p>Enter your email address. We will email you a link: open it to confirm the address, then choose your password.</p>
      <Form id="signup" action="/signup" api="/v1/signup" pow={pow ? 'always' : undefined} error={state.error} submit="Create account">
        <Field form="signup" name="email" label="Email address" type="email" autocomplete="email" value={state.email} errors={state.errors} />
        <Honeypot form="signup" field={honeypotField} />
        {pow ? <PowWidget action="signup" /> : null}
      </Form>
    </div>
    <Result message={state.result} />
    <Links links={[{ href: '/login', text: 'Already have an account? Sign in' }]} />
  </Layout>
);

export const ForgotPage: FC<EntryProps> = ({ shell, state, honeypotField, pow }) => (
  <Layout shell={shell} title="Reset your password">
    <h1>Reset your password</h1>
    <div data-hide-when-done="" hidden={done(state)}>
      <p>Enter the address you use to sign in. We will email you a link to choose a new password.</p>
      <Form id="forgot" action="/forgot" api="/v1/recovery" pow={pow ? 'always' : undefined} error={state.error} submit="Email me a reset link">
        <Field form="forgot" name="email" label="Email address" type="email" autocomplete="email" value={state.email} errors={state.errors} />
        <Honeypot form="forgot" field={honeypotField} />
        {pow ? <PowWidget action="recovery" /> : null}
      </Form>
    </div>
    <Result message={state.result} />
    <Links
      links={[
        { href: '/login', text: 'Back to sign in' },
        { href: '/magic', text: 'Email me a sign-in link instead' },
      ]}
    />
  </Layout>
);

export interface MagicProps extends EntryProps {
  /** State of the second form, where a sign-in code from the link is used. */
  confirm: FormState;
}

export const MagicPage: FC<MagicProps> = ({ shell, state, confirm, honeypotField, pow }) => (
  <Layout shell={shell} title="Sign in with a link">
    <h1>Sign in with a link</h1>
    <section data-when-token="hide" aria-labelledby="magic-request-heading">
      <div data-hide-when-done="" hidden={done(state)}>
        <h2 id="magic-request-heading">Get a link by email</h2>
        <p>We will email you a link that signs you in, no password needed. If the address has no account yet, the link creates one.</p>
        <Form id="magic" action="/magic" api="/v1/magic-link" pow={pow ? 'always' : undefined} error={state.error} submit="Email me a sign-in link">
          <Field form="magic" name="email" label="Email address" type="email" autocomplete="email" value={state.email} errors={state.errors} />
          <Honeypot form="magic" field={honeypotField} />
          {pow ? <PowWidget action="magic-link" /> : null}
        </Form>
      </div>
      <Result message={state.result} />
    </section>
    <section data-when-token="show" aria-labelledby="magic-confirm-heading">
      <h2 id="magic-confirm-heading">Use your sign-in link</h2>
      <p>Press the button to sign in on this device.</p>
      <Form id="magic-confirm" action="/magic/confirm" api="/v1/magic-link/confirm" next="/account" error={confirm.error} submit="Sign in">
        <Field
          form="magic-confirm"
          name="token"
          label="Sign-in code"
          hint="The part of the link in your email after #token="
          type="text"
          autocomplete="one-time-code"
          token
          errors={confirm.errors}
        />
      </Form>
    </section>
    <Links
      links={[
        { href: '/login', text: 'Sign in with a password' },
        { href: '/signup', text: 'Create an account' },
      ]}
    />
  </Layout>
);
