import { tokenOf } from './hush.js';
import type { TestHush } from './hush.js';

/** The session cookie (`name=value`) a reply set, or '' when it set none. */
export function sessionCookieOf(res: Response): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/**
 * A confirmed account with a password, made the way a person makes one
 * through the API: sign up with the address alone, open the link from the
 * mailbox (`POST /v1/verify`, which signs in), and choose the password from
 * that fresh session (`POST /v1/password` without `current`). Throws if a
 * step does not answer as it should. Returns the session cookie from the
 * verification (still live: setting a password keeps the session it came from).
 *
 * `pow` adds fields to the sign-up body (a proof-of-work solution, when the
 * instance asks for one); `ip` is the client address of every request.
 */
export async function createAccount(t: TestHush, email: string, password: string, options: { ip?: string; signupFields?: Record<string, unknown> } = {}): Promise<{ cookie: string }> {
  const { ip } = options;
  const signup = await t.request('/v1/signup', { json: { email, ...options.signupFields } }, ip);
  if (signup.status !== 202) throw new Error(`sign-up for ${email} answered ${signup.status}`);
  const verified = await t.request('/v1/verify', { json: { token: tokenOf(await t.linkFor(email, '/verify#token=')) } }, ip);
  if (verified.status !== 200) throw new Error(`verify for ${email} answered ${verified.status}`);
  const cookie = sessionCookieOf(verified);
  const set = await t.request('/v1/password', { json: { password }, headers: { cookie } }, ip);
  if (set.status !== 200) throw new Error(`setting the first password for ${email} answered ${set.status}`);
  return { cookie };
}
