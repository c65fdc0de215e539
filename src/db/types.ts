/** Rows and the number of rows a statement touched. */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Anything that runs one parameterised statement: a database, or a transaction on it. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements with no parameters (migrations). */
  exec(script: string): Promise<void>;
}

export type NotificationHandler = (payload: string) => void;

export interface Db extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Whether LISTEN can be used. False behind a transaction-mode pooler (PgBouncer, Supavisor on
   * port 6543), where a notification would be delivered to whichever session happens to hold the
   * server connection.
   */
  readonly canListen: boolean;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a channel; the returned function unsubscribes. The subscription survives a
   * dropped connection (re-established with backoff); notifications sent meanwhile are lost,
   * which is why they are only ever a hint.
   */
  listen(channel: string, onNotification: NotificationHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
