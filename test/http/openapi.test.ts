import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHush } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';
import { createAccount } from '../helpers/accounts.js';
import * as flows from '../../src/core/flows/index.js';
import * as secondFactorFlows from '../../src/core/flows/second-factor.js';
import * as disownFlows from '../../src/core/flows/disown.js';
import { ERROR_CODES } from '../../src/kernel/errors.js';
import { base32Decode, totpAt, totpStep } from '../../src/core/totp.js';
import { OPERATIONS, schemas } from '../../src/http/api/openapi-operations.js';
import type { SchemaName } from '../../src/http/api/openapi-operations.js';

/**
 * The OpenAPI document against the app itself: every route of the JSON API
 * the app really serves (walked from `hush.app.routes`, so a route added
 * later fails here until it is documented) is in it and nothing else is;
 * every example validates against its schema; every request example passes
 * the endpoint's own validation; every reply constant and error code is in it.
 */
type Doc = { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example: unknown }> } }>>; 'x-error-codes': Record<string, unknown> };
let t: TestHush;
let doc: Doc;
let text: string;

beforeAll(async () => {
  t = await testHush();
  const res = await t.request('/v1/openapi.json');
  expect(res.status).toBe(200);
  text = await res.text();
  doc = JSON.parse(text) as Doc;
});
afterAll(async () => {
  await t.close();
});

const API = /^\/(admin\/)?v1\//;

describe('GET /v1/openapi.json', () => {
  it('is OpenAPI 3.1 with JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(text).toContain('"jsonSchemaDialect":"https://json-schema.org/draft/2020-12/schema"');
  });

  it('has every route of the JSON API the app serves, and no route it does not', () => {
    const served = new Set(t.hush.app.routes.filter((r) => r.method !== 'ALL' && API.test(r.path)).map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect([...served].filter((r) => !documented.has(r)), 'served but not documented').toEqual([]);
    expect([...documented].filter((r) => !served.has(r)), 'documented but not served').toEqual([]);
  });

  it('every example validates against its schema', () => {
    let checked = 0;
    for (const op of OPERATIONS) {
      if (op.request !== undefined) {
        expect(schemas[op.request.schema].safeParse(op.request.example).success, `${op.method} ${op.path} request`).toBe(true);
        checked++;
      }
      for (const r of op.replies) {
        for (const [name, value] of Object.entries(r.examples ?? {})) {
          expect(r.schema, `${op.path} ${r.status} ${name}`).toBeDefined();
          expect(schemas[r.schema as SchemaName].safeParse(value).success, `${op.method} ${op.path} ${r.status} ${name}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    // The check can fail: a reply that is not the schema's.
    expect(schemas.FlowReply.safeParse({ status: 'accepted' }).success).toBe(false);
  });

  it('every request example of an account flow passes that endpoint\'s own validation', async () => {
    const accountFlows = OPERATIONS.filter((op) => op.tag === 'account' && op.request !== undefined && op.scope === undefined);
    expect(accountFlows.length).toBeGreaterThanOrEqual(12);
    // Endpoints for the signed-in owner validate after the session: they get one, else a 401 would hide a bad example.
    // Its password is not the examples' `current`, so POST /v1/password answers a mismatch and the session lives on.
    const { cookie } = await createAccount(t, 'openapi@example.com', 'another long password', { ip: '198.51.100.41' });
    // With TOTP on, the endpoints that take a factor read it, before anything else they check: a factor they
    // could not read is their 401 HUSH_SECOND_FACTOR_REQUIRED (a wrong one, as the examples are, is HUSH_SECOND_FACTOR_INVALID).
    const setup = (await (await t.request('/v1/totp/setup', { method: 'POST', headers: { cookie } }, '198.51.100.41')).json()) as { secret: string };
    const key = base32Decode(setup.secret);
    if (key === null) throw new Error('the secret is not base32');
    const on = await t.request('/v1/totp/confirm', { json: { code: totpAt(key, totpStep(Date.now())) }, headers: { cookie } }, '198.51.100.41');
    expect(on.status).toBe(200);
    for (const op of accountFlows) {
      const res = await t.request(op.path, { method: op.method.toUpperCase(), json: op.request?.example, headers: op.cookie === true ? { cookie } : {} }, '198.51.100.40');
      const body = res.status === 204 ? null : ((await res.json()) as { error?: { code: string } });
      expect(body?.error?.code, `${op.method} ${op.path} answered ${res.status}`).not.toBe('HUSH_VALIDATION');
      if (op.cookie === true) expect(['HUSH_UNAUTHORIZED', 'HUSH_SECOND_FACTOR_REQUIRED'], `${op.method} ${op.path}`).not.toContain(body?.error?.code);
    }
    // And the check can fail: an example missing a field is refused, with or without a session.
    const bad = await t.request('/v1/login', { json: { email: 'ada@example.com' } }, '198.51.100.40');
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('HUSH_VALIDATION');
    const badSignedIn = await t.request('/v1/totp/confirm', { json: {}, headers: { cookie } }, '198.51.100.40');
    expect(((await badSignedIn.json()) as { error: { code: string } }).error.code).toBe('HUSH_VALIDATION');
    const noFactor = await t.request('/v1/totp', { method: 'DELETE', json: { recovery: 'k7fq-2m4x-ra3d-pq6z' }, headers: { cookie } }, '198.51.100.40');
    expect(((await noFactor.json()) as { error: { code: string } }).error.code).toBe('HUSH_SECOND_FACTOR_REQUIRED');
  });

  it('names every reply constant of the flows and every error code', () => {
    const constants = Object.entries({ ...flows, ...secondFactorFlows, ...disownFlows }).filter((e): e is [string, flows.Reply] => typeof e[1] === 'object' && e[1] !== null && 'status' in e[1] && 'body' in e[1]);
    expect(constants.length).toBeGreaterThanOrEqual(17);
    for (const [name, reply] of constants) {
      if (reply.body === null) expect(text, name).toContain(`"${reply.status}":{"description"`);
      else expect(text, name).toContain(JSON.stringify(reply.body));
    }
    expect(Object.keys(doc['x-error-codes']).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
