import type { Child, FC } from 'hono/jsx';
import type { Operator } from './access.js';
import { maskIdentifier } from './format.js';

/** What every console page needs: the stylesheet's URL, the product's name, and who is signed in. */
export interface ConsoleShell {
  css: string;
  productName: string;
  operator: Operator;
}

const NAV = [
  { href: '/console', text: 'Overview' },
  { href: '/console/signals', text: 'Signals' },
  { href: '/console/answers', text: 'Answers' },
  { href: '/console/events', text: 'Events' },
] as const;

/**
 * A console page: no script at all (the CSP allows none), the stylesheet from
 * hush, a navigation bar with the signed-in operator (masked) and a sign-out
 * button that posts to the hosted pages' /logout.
 */
export const ConsolePage: FC<{ shell: ConsoleShell; title: string; current: string; children?: Child }> = ({ shell, title, current, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <link rel="icon" href="data:," />
      <title>{`${title} · ${shell.productName} console`}</title>
      <link rel="stylesheet" href={shell.css} />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="bar">
        <span class="name">{shell.productName} console</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li>
                <a href={n.href} aria-current={n.href === current ? 'page' : undefined}>
                  {n.text}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>Operator {maskIdentifier(shell.operator.email)}</span>
          <form method="post" action="/logout">
            <button type="submit">Sign out</button>
          </form>
        </div>
      </header>
      <main id="main" tabindex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

/** A table that scrolls sideways on a narrow screen; focusable so a keyboard can scroll it. */
export const Scroll: FC<{ label: string; children?: Child }> = ({ label, children }) => (
  <div class="scroll" tabindex={0} role="region" aria-label={label}>
    {children}
  </div>
);

/** A severity as a coloured label. */
export const Sev: FC<{ severity: string }> = ({ severity }) => <span class={`sev ${severity}`}>{severity}</span>;
