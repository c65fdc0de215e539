/**
 * Every error Facteur raises on purpose carries a stable `code` (UPPER_SNAKE) that callers, the
 * HTTP layer and the CLI can rely on, and a message written for a person.
 */
export class FacteurError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from a caller: nothing was changed. */
export class InvalidInputError extends FacteurError {}

/** The configuration (environment) cannot be used; start-up stops. */
export class ConfigError extends FacteurError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** The database cannot be reached or refused the connection. */
export class DatabaseUnavailableError extends FacteurError {
  constructor(message: string, cause?: unknown) {
    super('DB_UNAVAILABLE', message, { cause });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
