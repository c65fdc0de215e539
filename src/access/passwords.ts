import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';

/** scrypt's cost: N = 2^15, r = 8, p = 1 (32 MiB, ~100 ms here); stored with each hash, so it can grow. */
const LOG2_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export const MIN_PASSWORD_LENGTH = 12;
/** Longer ones are refused before hashing: a password is not a way to make the server work. */
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  return new Promise((resolve, reject) =>
    // maxmem above 128·N·r, which is scrypt's own need.
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** Refuses a password too short or too long to be used, with a sentence saying why. */
export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError('INVALID_PASSWORD', `A password is ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`);
  }
}

/** `scrypt$15$8$1$<salt>$<hash>` (base64url), with a salt of its own. */
export async function hashPassword(password: string): Promise<string> {
  checkNewPassword(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, LOG2_N, R, P);
  return ['scrypt', LOG2_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

// Checked when the e-mail matches no one, so that an unknown address takes as long as a wrong password.
const NOBODY = `scrypt$${LOG2_N}$${R}$${P}$${randomBytes(SALT_BYTES).toString('base64url')}$${randomBytes(KEY_BYTES).toString('base64url')}`;

/** Whether `password` matches `stored` (null: nobody, still hashed once); compared in constant time. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, log2N, r, p, salt, hash] = (stored ?? NOBODY).split('$');
  if (scheme !== 'scrypt' || !salt || !hash || password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), Number(log2N), Number(r), Number(p));
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}
