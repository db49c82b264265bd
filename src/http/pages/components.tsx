import { createContext, useContext } from 'hono/jsx';
import type { Child, FC } from 'hono/jsx';
import type { AssetUrls } from './assets.js';

/**
 * The building blocks every hosted page shares. Rendered by hono/jsx, which
 * escapes every text and attribute value: nothing a person typed, and nothing
 * from mail, reaches the page unescaped.
 */

export interface Brand {
  productName: string;
  /** URL of the configured logo, served by hush; absent when none is configured. */
  logoUrl?: string;
}

export interface PageShell {
  brand: Brand;
  assets: AssetUrls;
  /** Load the ALTCHA widget (only on pages with a form that needs a proof-of-work). */
  pow: boolean;
}

export const Layout: FC<{ shell: PageShell; title: string; children?: Child }> = ({ shell, title, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      {/* No favicon request: the pages load nothing they do not need. */}
      <link rel="icon" href="data:," />
      <title>{`${title} · ${shell.brand.productName}`}</title>
      <link rel="stylesheet" href={shell.assets.css} />
      {shell.pow ? <link rel="stylesheet" href={shell.assets.altchaCss} /> : null}
      {shell.pow ? <script type="module" src={shell.assets.altchaJs}></script> : null}
      <script defer src={shell.assets.js}></script>
    </head>
    <body data-pow-worker={shell.pow ? shell.assets.altchaWorker : undefined}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="brand">
        <a href="/login">
          {shell.brand.logoUrl === undefined ? null : <img src={shell.brand.logoUrl} alt="" />}
          <span>{shell.brand.productName}</span>
        </a>
      </header>
      <main id="main" tabindex={-1}>
        <div class="card">{children}</div>
      </main>
    </body>
  </html>
);

/** A field's error: the reason from the API, said about its label ("Email address is required."). */
export interface FieldErrors {
  [field: string]: string | undefined;
}

export interface FieldProps {
  form: string;
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  autocomplete: string;
  value?: string;
  hint?: string;
  errors?: FieldErrors;
  /** Marks the token field, which the page script fills from the link and hides. */
  token?: boolean;
  minlength?: number;
  /** Not required (the reset page's code, asked only of accounts with two-step sign-in). */
  optional?: boolean;
}

export const Field: FC<FieldProps> = (p) => {
  const id = `${p.form}-${p.name}`;
  const error = p.errors?.[p.name];
  const describedBy = [p.hint === undefined ? null : `${id}-hint`, `${id}-error`].filter((x) => x !== null).join(' ');
  return (
    <div class="field" data-token-field={p.token === true ? '' : undefined}>
      <label for={id}>{p.label}</label>
      {p.hint === undefined ? null : (
        <span class="hint" id={`${id}-hint`}>
          {p.hint}
        </span>
      )}
      <input
        id={id}
        name={p.name}
        type={p.type}
        autocomplete={p.autocomplete}
        required={p.optional !== true}
        minlength={p.minlength}
        value={p.type === 'password' ? undefined : p.value}
        spellcheck={p.type === 'email' || p.token === true ? false : undefined}
        autocapitalize={p.type === 'email' || p.token === true ? 'none' : undefined}
        data-label={p.label}
        data-token={p.token === true ? '' : undefined}
        aria-describedby={describedBy}
        aria-invalid={error === undefined ? undefined : 'true'}
      />
      <p class="error" id={`${id}-error`}>
        {error}
      </p>
    </div>
  );
};

/**
 * The honeypot: a field people never see or reach. Off-screen rather than
 * display:none (which some bots check for), hidden from assistive technology,
 * out of the tab order, and named and labelled so no autofill profile matches it.
 */
export const Honeypot: FC<{ form: string; field: string }> = ({ form, field }) => (
  <div class="hp" aria-hidden="true">
    <label for={`${form}-${field}`}>Leave this field empty</label>
    <input id={`${form}-${field}`} name={field} type="text" tabindex={-1} autocomplete="off" value="" />
  </div>
);

/**
 * The ALTCHA widget, kept out of sight: the page script asks it to solve when
 * the form is submitted and posts the solution as `pow`. Without JavaScript
 * the custom element never runs and the server explains what is needed.
 */
export const PowWidget: FC<{ action: 'signup' | 'recovery' | 'magic-link' | 'login' }> = ({ action }) => (
  <div class="pow">
    <altcha-widget
      challenge={`/v1/pow/challenge?action=${action}`}
      name="pow"
      auto="off"
      configuration='{"hideFooter":true,"hideLogo":true,"minDuration":0}'
    ></altcha-widget>
  </div>
);

export interface FormProps {
  id: string;
  /** The page route a form posts to without JavaScript. */
  action: string;
  /** The JSON API endpoint the page script posts to. */
  api: string;
  /** Where to go after success; absent: the reply's message is shown in place. */
  next?: string;
  /** `always`: solve before posting; `on-demand`: only when the server asks for it (login). */
  pow?: 'always' | 'on-demand';
  error?: string;
  submit: string;
  children?: Child;
}

/**
 * The request's accepted `return_to` (http/return-to.ts), or null: every form
 * carries it as a hidden field and the links between the sign-in pages keep
 * it, so it survives the way from the first page to the mailed link and back.
 */
export const ReturnTo = createContext<string | null>(null);
const ENTRY_PAGES = new Set(['/login', '/signup', '/forgot', '/magic']);

export const Form: FC<FormProps> = (p) => {
  const returnTo = useContext(ReturnTo);
  return (
    <form id={p.id} method="post" action={p.action} data-api={p.api} data-next={p.next} data-pow={p.pow}>
      <div class="alert" id={`${p.id}-alert`} role="alert">
        {p.error}
      </div>
      {returnTo === null ? null : <input type="hidden" name="return_to" value={returnTo} />}
      {p.children}
      <button type="submit">{p.submit}</button>
      <p class="status" id={`${p.id}-status`} role="status"></p>
    </form>
  );
};

/** Shown in place of a form once it is done: the flow's one reply, and what to do next. */
export const Result: FC<{ message?: string; children?: Child }> = ({ message, children }) => (
  <section id="result" tabindex={-1} hidden={message === undefined} aria-labelledby="result-message">
    <p class="notice" id="result-message" data-message="">
      {message}
    </p>
    {children}
  </section>
);

export const Links: FC<{ links: readonly { href: string; text: string }[] }> = ({ links }) => {
  const returnTo = useContext(ReturnTo);
  const keep = (href: string): string => (returnTo !== null && ENTRY_PAGES.has(href) ? `${href}?return_to=${encodeURIComponent(returnTo)}` : href);
  return (
    <ul class="links">
      {links.map((l) => (
        <li>
          <a href={keep(l.href)}>{l.text}</a>
        </li>
      ))}
    </ul>
  );
};
