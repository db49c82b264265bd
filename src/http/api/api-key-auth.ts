import type { MiddlewareHandler } from 'hono';
import { HushError } from '../../kernel/errors.js';
import type { ApiKeyRecord, ApiKeyScope } from '../../store/api-keys.js';

/** What the middleware needs from the key store. */
export interface ApiKeyVerifier {
  verify(key: string): Promise<ApiKeyRecord | undefined>;
}

export type ApiKeyVariables = { apiKey: ApiKeyRecord };

/**
 * Requires an API key with `scope` (`Authorization: Bearer hush_…`, or
 * `X-Hush-Key`). 401 when it is missing, malformed, unknown or revoked (one
 * answer for all: the reply does not say which); 403 when it lacks the scope.
 * The key is never logged or echoed. The verified record is at `c.get('apiKey')`.
 */
export function apiKeyAuth(keys: ApiKeyVerifier, scope: ApiKeyScope): MiddlewareHandler<{ Variables: ApiKeyVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const key = header?.startsWith('Bearer ') === true ? header.slice(7).trim() : (c.req.header('x-hush-key')?.trim() ?? '');
    const record = key === '' ? undefined : await keys.verify(key);
    if (!record) {
      c.header('www-authenticate', 'Bearer realm="hush"');
      return c.json(new HushError('HUSH_API_KEY_INVALID').toJSON(), 401);
    }
    if (!record.scopes.includes(scope)) return c.json(new HushError('HUSH_API_KEY_SCOPE', { details: [{ reason: `needs the ${scope} scope` }] }).toJSON(), 403);
    c.set('apiKey', record);
    await next();
  };
}
