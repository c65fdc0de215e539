// Mailbox passwords sealed with AES-256-GCM under FACTEUR_SECRET_KEY: the key stays in the
// environment, the database holds only what cannot be read without it. The owner is bound as
// associated data, so a sealed password copied onto another owner's mailbox does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError, FacteurError } from '../errors.ts';

const VERSION = 'v1';

/** The 32-byte key from FACTEUR_SECRET_KEY (64 hex digits or base64); null when unset. */
export function secretKeyFrom(env: Record<string, string | undefined> = process.env): Buffer | null {
  const text = env.FACTEUR_SECRET_KEY?.trim();
  if (!text) return null;
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.byteLength !== 32) {
    throw new ConfigError('FACTEUR_SECRET_KEY must be 32 bytes, as 64 hex digits or base64 (openssl rand -hex 32).');
  }
  return key;
}

/** The key, or a ConfigError saying how to make one: stored passwords need it. */
export function requireSecretKey(env: Record<string, string | undefined> = process.env): Buffer {
  const key = secretKeyFrom(env);
  if (!key) throw new ConfigError('Set FACTEUR_SECRET_KEY (openssl rand -hex 32): mailbox passwords are stored sealed with it.');
  return key;
}

export function sealSecret(plain: string, key: Buffer, owner: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(owner));
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
}

export function openSecret(sealed: string, key: Buffer, owner: string): string {
  const [version, body] = sealed.split(':');
  const bytes = Buffer.from(body ?? '', 'base64');
  if (version !== VERSION || bytes.byteLength < 28)
    throw new FacteurError('SECRET_UNREADABLE', 'The stored password is not in a known form.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    // Never the cause: it could carry bytes of the secret.
    throw new FacteurError('SECRET_UNREADABLE', 'The stored password does not open with FACTEUR_SECRET_KEY (was the key changed?).');
  }
}
