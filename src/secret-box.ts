import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from './errors.js';

/** A value encrypted under one key of the keyring: which key, and the `iv.tag.ciphertext` text. */
export interface Sealed {
  keyId: string;
  sealed: string;
}

export interface SecretBox {
  /** Fingerprint of the key new values are sealed with; undefined when no key is configured. */
  currentKeyId: string | undefined;
  seal(plain: string, context: string): Sealed;
  open(value: Sealed, context: string): string;
  canOpen(keyId: string): boolean;
}

const IV_BYTES = 12;

/** The public name of a key: the start of its SHA-256, safe to store and to log. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/**
 * AES-256-GCM with the current key, opening values sealed by any configured key. `context` (the
 * row's id) is authenticated with the value, so a ciphertext copied onto another row does not open.
 *
 * @example const box = createSecretBox(config.encryption); box.open(box.seal(token, rowId), rowId);
 */
export function createSecretBox(options: { key?: string | undefined; previousKeys: string[] }): SecretBox {
  const keys = new Map<string, Buffer>();
  for (const text of [options.key, ...options.previousKeys]) {
    if (!text) continue;
    const key = Buffer.from(text, 'base64');
    if (key.length !== 32)
      throw new AppError('secrets.bad_key', 'An encryption key must be 32 bytes in base64.');
    keys.set(keyIdOf(key), key);
  }
  const current = options.key ? keyIdOf(Buffer.from(options.key, 'base64')) : undefined;

  return {
    currentKeyId: current,
    canOpen: (keyId) => keys.has(keyId),
    seal(plain, context) {
      const key = current ? keys.get(current) : undefined;
      if (!current || !key)
        throw new AppError('secrets.no_key', 'ENCRYPTION_KEY is not set: nothing can be encrypted.');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return { keyId: current, sealed: [iv, tag, data].map((b) => b.toString('base64')).join('.') };
    },
    open({ keyId, sealed }, context) {
      const key = keys.get(keyId);
      if (!key)
        throw new AppError(
          'secrets.unknown_key',
          `A stored secret is encrypted with key ${keyId}, which is neither ENCRYPTION_KEY nor listed in ENCRYPTION_KEYS.`,
        );
      const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
      if (!iv || !tag || !data) throw new AppError('secrets.corrupt', 'A stored secret is damaged.');
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch {
        throw new AppError(
          'secrets.corrupt',
          `A stored secret does not open with key ${keyId}: damaged or moved.`,
        );
      }
    },
  };
}
