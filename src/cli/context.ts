import { InvalidArgumentError } from 'commander';
import { openFacteur, type Facteur } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { parseDuration } from '../duration.ts';
import { printable } from '../text.ts';

/** Exit statuses: 0 done, 1 the work failed (database down…), 2 unusable input or arguments. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return Number(value);
}

export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of 0 or more.');
  return Number(value);
}

export function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

export function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('expected a duration such as 30s, 15m, 12h or 7d.');
  return ms;
}

/**
 * Prints a line for a person on the terminal: stored text (file names, what an invoice says, error
 * texts) can hold control characters a terminal would obey, and bidi characters that reorder it.
 */
export function say(text: string): void {
  console.log(printable(text));
}

/** Opens Facteur from the environment, runs `work`, and always closes the database. */
export async function withFacteur<T>(work: (facteur: Facteur) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const facteur = await openFacteur(config, createLogger(config.logLevel), options);
  try {
    return await work(facteur);
  } finally {
    await facteur.close();
  }
}
