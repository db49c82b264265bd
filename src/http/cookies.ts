import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Context } from 'hono';

/**
 * The session cookie: HttpOnly, SameSite=Lax, Path=/. On an https origin it is
 * Secure and uses the `__Host-` prefix, so no subdomain can set or shadow it.
 * With HUSH_COOKIE_DOMAIN it is sent to that domain and its subdomains (one
 * session across them): `__Host-` forbids a Domain, so it is then
 * `__Secure-hush_session` (still Secure-only on https).
 */
export class SessionCookie {
  readonly name: string;
  readonly #secure: boolean;
  readonly #domain: string | undefined;

  constructor(origin: string, domain?: string) {
    this.#secure = origin.startsWith('https:');
    this.#domain = domain;
    const prefix = !this.#secure ? '' : domain === undefined ? '__Host-' : '__Secure-';
    this.name = `${prefix}hush_session`;
  }

  read(c: Context): string | null {
    const v = getCookie(c, this.name);
    return v === undefined || v.length === 0 ? null : v;
  }

  set(c: Context, token: string, expiresAt: Date): void {
    setCookie(c, this.name, token, { ...this.#attributes(), expires: expiresAt });
  }

  clear(c: Context): void {
    deleteCookie(c, this.name, this.#attributes());
  }

  #attributes(): { httpOnly: true; secure: boolean; sameSite: 'Lax'; path: '/'; domain?: string } {
    return { httpOnly: true, secure: this.#secure, sameSite: 'Lax', path: '/', ...(this.#domain === undefined ? {} : { domain: this.#domain }) };
  }

  /** The second step of a sign-in (a correct password, an account with TOTP): its own short-lived cookie, never a session. */
  get secondStepName(): string {
    return this.#secure ? '__Host-hush_second_step' : 'hush_second_step';
  }

  readSecondStep(c: Context): string | null {
    const v = getCookie(c, this.secondStepName);
    return v === undefined || v.length === 0 ? null : v;
  }

  setSecondStep(c: Context, token: string, expiresAt: Date): void {
    setCookie(c, this.secondStepName, token, { httpOnly: true, secure: this.#secure, sameSite: 'Strict', path: '/', expires: expiresAt });
  }

  clearSecondStep(c: Context): void {
    deleteCookie(c, this.secondStepName, { httpOnly: true, secure: this.#secure, sameSite: 'Strict', path: '/' });
  }
}
