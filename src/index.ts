/**
 * Facteur's engine, for use without the web app: connect to a database, migrate it, add jobs (one,
 * many, or inside your own transaction), and run a Worker with your task handlers.
 */
import './node-version.ts';
export {
  connect,
  migrate,
  isConnectionError,
  type ConnectOptions,
  type Db,
  type MigrationReport,
  type QueryResult,
  type Sql,
} from './db/index.ts';
export * from './queue/index.ts';
export { builtinTasks } from './tasks/builtin.ts';
export { loadConfig, type Config } from './config.ts';
export { openFacteur, type Facteur } from './app.ts';
export { ConfigError, DatabaseUnavailableError, FacteurError, InvalidInputError } from './errors.ts';
