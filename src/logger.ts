import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs; pretty when a person watches a terminal. */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return pino(
    {
      level,
      base: { pid: process.pid },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } } } : {}),
    },
    pretty ? undefined : pino.destination(2),
  );
}
