import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpAt, totpStep } from '../../../src/core/totp.js';
import { SecretBox } from '../../../src/core/secret-box.js';
import { describeDevice } from '../../../src/core/device.js';
import { SeededRandom, cryptoRandom } from '../../../src/kernel/random.js';
import { REDACTED, redactDeep } from '../../../src/kernel/log.js';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));

describe('HOTP (RFC 4226, appendix D)', () => {
  it('gives the ten test values of the secret "12345678901234567890"', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, i) => hotp(ascii('12345678901234567890'), i))).toEqual(expected);
  });
});

describe('TOTP (RFC 6238, appendix B)', () => {
  // The RFC's seeds: 20 bytes for SHA-1, 32 for SHA-256, 64 for SHA-512; codes of 8 digits.
  const seeds = {
    sha1: ascii('12345678901234567890'),
    sha256: ascii('12345678901234567890123456789012'),
    sha512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
  } as const;
  const vectors: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  it.each(vectors)('at %i s', (seconds, sha1, sha256, sha512) => {
    const step = totpStep(seconds * 1000);
    expect(totpAt(seeds.sha1, step, 8, 'sha1')).toBe(sha1);
    expect(totpAt(seeds.sha256, step, 8, 'sha256')).toBe(sha256);
    expect(totpAt(seeds.sha512, step, 8, 'sha512')).toBe(sha512);
  });

  it('accepts one step of drift either side, not two, and never a step at or before the last used', () => {
    const key = ascii('12345678901234567890');
    const now = 1_111_111_111_000;
    const s = totpStep(now);
    expect(matchTotp(key, totpAt(key, s), now, null)).toBe(s);
    expect(matchTotp(key, totpAt(key, s - 1), now, null)).toBe(s - 1);
    expect(matchTotp(key, totpAt(key, s + 1), now, null)).toBe(s + 1);
    expect(matchTotp(key, totpAt(key, s - 2), now, null)).toBeNull();
    expect(matchTotp(key, totpAt(key, s + 2), now, null)).toBeNull();
    expect(matchTotp(key, totpAt(key, s), now, s)).toBeNull();
    expect(matchTotp(key, totpAt(key, s + 1), now, s)).toBe(s + 1);
    expect(matchTotp(key, ` ${totpAt(key, s).slice(0, 3)} ${totpAt(key, s).slice(3)} `, now, null)).toBe(s);
    expect(matchTotp(key, 'abcdef', now, null)).toBeNull();
    expect(matchTotp(key, '', now, null)).toBeNull();
  });
});

describe('base32 and the otpauth URI', () => {
  it('round-trips, and reads the RFC 4648 test values', () => {
    expect(base32Encode(ascii('foobar'))).toBe('MZXW6YTBOI');
    expect(Buffer.from(base32Decode('mzxw6ytboi======') ?? []).toString()).toBe('foobar');
    expect(base32Decode('not base32!')).toBeNull();
    const bytes = new SeededRandom(3).bytes(20);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
  });
  it('names issuer, account and parameters', () => {
    const uri = otpauthUri({ issuer: 'Acme ID', account: 'ada@example.com', secret: 'JBSWY3DPEHPK3PXP' });
    expect(uri).toBe('otpauth://totp/Acme%20ID:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme+ID&algorithm=SHA1&digits=6&period=30');
  });
});

describe('SecretBox', () => {
  const secret = 'test-secret-test-secret-test-secret-0123';
  it('opens what it sealed for the same owner only, and nothing altered or sealed under another secret', () => {
    const box = new SecretBox(secret, 'totp', cryptoRandom);
    const plain = new Uint8Array([1, 2, 3, 4, 5]);
    const sealed = box.seal(plain, 'id-1');
    expect(sealed).not.toContain(Buffer.from(plain).toString('base64url'));
    expect(box.open(sealed, 'id-1')).toEqual(plain);
    expect(box.open(sealed, 'id-2')).toBeNull();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BA' : 'AA');
    expect(box.open(tampered, 'id-1')).toBeNull();
    expect(new SecretBox(`${secret}x`, 'totp', cryptoRandom).open(sealed, 'id-1')).toBeNull();
    expect(new SecretBox(secret, 'other', cryptoRandom).open(sealed, 'id-1')).toBeNull();
    expect(box.open('garbage', 'id-1')).toBeNull();
  });
});

describe('describeDevice', () => {
  it('names browser and system coarsely', () => {
    expect(describeDevice('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox on Linux');
    expect(describeDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0')).toBe('Edge on Windows');
    expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
    expect(describeDevice(null)).toBe('Unknown device');
  });
});

describe('log redaction of the second factor', () => {
  // A bare `code` is left alone: errors carry their code under that name (HUSH_…, ECONNREFUSED), and no body is logged.
  it('redacts recovery codes, the second step and TOTP secrets by field name', () => {
    const out = redactDeep({ code: 'HUSH_INTERNAL', recovery_code: 'abcd-efgh', recovery_codes: ['x'], second_step: 's', totp_secret: 't', device: 'Firefox on Linux' });
    expect(out).toEqual({ code: 'HUSH_INTERNAL', recovery_code: REDACTED, recovery_codes: REDACTED, second_step: REDACTED, totp_secret: REDACTED, device: 'Firefox on Linux' });
  });
});
