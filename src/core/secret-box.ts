/**
 * Encryption at rest for secrets hush must read back (a TOTP secret is a
 * shared key: it cannot be hashed). AES-256-GCM under a key derived with
 * HKDF-SHA-256 from the instance secret (HUSH_SECRET) for one purpose, with
 * the row's owner as additional data, so a ciphertext moved to another
 * identity's row does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import type { Random } from '../kernel/random.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  readonly #key: Buffer;
  readonly #random: Random;

  /** `purpose` separates keys: a box for TOTP secrets cannot open anything sealed for another use. */
  constructor(instanceSecret: string, purpose: string, random: Random) {
    if (instanceSecret.length < 32) throw new Error('the instance secret is shorter than 32 characters');
    this.#key = Buffer.from(hkdfSync('sha256', instanceSecret, 'hush', `hush secret-box ${purpose}`, 32));
    this.#random = random;
  }

  /** `v1.<iv>.<ciphertext+tag>`, base64url. */
  seal(plain: Uint8Array, owner: string): string {
    const iv = Buffer.from(this.#random.bytes(IV_BYTES));
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The plain bytes, or null when the box is not ours, was altered, or belongs to another owner. */
  open(sealed: string, owner: string): Uint8Array | null {
    const [version, ivText, bodyText] = sealed.split('.');
    if (version !== VERSION || ivText === undefined || bodyText === undefined) return null;
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(Buffer.from(owner, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]));
    } catch {
      return null;
    }
  }
}
