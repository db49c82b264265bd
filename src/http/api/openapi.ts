import { Hono } from 'hono';
import { z } from 'zod';
import { ERROR_CODES } from '../../kernel/errors.js';
import { OPERATIONS, schemas } from './openapi-operations.js';
import type { Operation, ReplySpec } from './openapi-operations.js';

/**
 * The OpenAPI 3.1 document of the JSON API, served at `GET /v1/openapi.json`
 * (under HUSH_BASE_PATH when set). Built once from openapi-operations.ts:
 * its zod schemas become JSON Schema 2020-12 (OpenAPI 3.1's dialect) under
 * `components.schemas`, every reply constant and error code is an example
 * of the reply that carries it, and `x-error-codes` lists the whole error
 * registry with statuses and messages (docs/errors.md).
 *
 * Why not `@hono/zod-openapi`, which design.md names: the account flows
 * validate their input in core (`parse`), inside the envelope and the same
 * for the API, the pages and library callers; a route-level validator would
 * be a second one, run before the envelope's clock. The document is built
 * from schemas beside the routes instead, and test/http/openapi.test.ts
 * walks the app's real routes (every one must be here) and sends every
 * request example to the real validators.
 */
export interface OpenApiSettings {
  origin: string;
  basePath: string;
  productName: string;
}

export function openApiDocument(settings: OpenApiSettings): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: `${settings.productName} JSON API`,
      version: '1',
      description: 'Account flows that tell an attacker nothing (docs/api.md). Every reply of an account flow is one of the constants shown in its examples.',
    },
    servers: [{ url: `${settings.origin}${settings.basePath}` }],
    tags: [
      { name: 'account', description: 'Sign-up, sign-in, links, passwords, sessions.' },
      { name: 'proxy', description: 'For reverse proxies and app servers (docs/deploying.md).' },
      { name: 'detection', description: 'Events in, signals out (docs/detection.md).' },
      { name: 'admin', description: 'Operators.' },
    ],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, jsonSchema(schema)])),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'hush_session', description: '`__Host-hush_session` on https, `__Secure-hush_session` with HUSH_COOKIE_DOMAIN.' },
        secondStep: { type: 'apiKey', in: 'cookie', name: 'hush_second_step', description: 'The second step of a sign-in (5 minutes, no session): set by a right password or link for an account with TOTP. `__Host-hush_second_step` on https.' },
        apiKey: { type: 'http', scheme: 'bearer', description: '`hush apikey create --scope …`; also accepted as `X-Hush-Key`.' },
      },
    },
    'x-error-codes': Object.fromEntries(Object.entries(ERROR_CODES).map(([code, e]) => [code, { status: e.status, message: e.message }])),
  };
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

const ref = (name: string): Record<string, string> => ({ $ref: `#/components/schemas/${name}` });

function operation(op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
  };
  if (op.scope !== undefined) out.security = [{ apiKey: [op.scope] }];
  else if (op.cookie === true) out.security = [{ session: [] }];
  else if (op.secondStep === true) out.security = [{ secondStep: [] }];
  // Every `{name}` of the path is declared, as OpenAPI requires.
  const parameters: Record<string, unknown>[] = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name, in: 'path', required: true, ...(op.params?.[name] === undefined ? {} : { description: op.params[name] }), schema: { type: 'string' },
  }));
  for (const [name, q] of Object.entries(op.query ?? {})) parameters.push({ name, in: 'query', required: q.required === true, description: q.description, schema: q.schema });
  if (parameters.length > 0) out.parameters = parameters;
  if (op.request !== undefined) {
    const body = { schema: ref(op.request.schema), example: op.request.example };
    const types = op.scope === undefined && op.tag === 'account' ? ['application/json', 'application/x-www-form-urlencoded'] : ['application/json'];
    out.requestBody = { required: true, content: Object.fromEntries(types.map((t) => [t, body])) };
  }
  out.responses = Object.fromEntries(op.replies.map((r) => [String(r.status), response(r)]));
  return out;
}

function response(r: ReplySpec): Record<string, unknown> {
  const out: Record<string, unknown> = { description: r.description };
  if (r.headers !== undefined) out.headers = Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
  if (r.schema !== undefined) {
    const media: Record<string, unknown> = { schema: ref(r.schema) };
    if (r.examples !== undefined) media.examples = Object.fromEntries(Object.entries(r.examples).map(([name, value]) => [name, { value }]));
    out.content = { 'application/json': media };
  }
  return out;
}

/** `GET /v1/openapi.json`: the document, built once. */
export function openApiRoutes(settings: OpenApiSettings): Hono {
  const body = JSON.stringify(openApiDocument(settings));
  const app = new Hono();
  app.get('/v1/openapi.json', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    c.header('Content-Type', 'application/json; charset=utf-8');
    return c.body(body, 200);
  });
  return app;
}
