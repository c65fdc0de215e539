import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { freePort } from './ports.ts';

export interface Pooler {
  port: number;
  stop(): Promise<void>;
}

/**
 * A PgBouncer in transaction mode in front of the PostgreSQL server, like Supabase's Supavisor on
 * port 6543: sessions are not kept between transactions, so LISTEN, session state and named
 * prepared statements do not survive. It needs Debian's `pgbouncer` (.ci/run installs it).
 */
export async function startPgBouncer(target: { host: string; port: number; database: string }): Promise<Pooler> {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-pgbouncer-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    `[databases]
${target.database} = host=${target.host} port=${target.port} dbname=${target.database}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${join(dir, 'users.txt')}
pool_mode = transaction
default_pool_size = 10
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,application_name
logfile = ${join(dir, 'pgbouncer.log')}
`,
  );
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  // PgBouncer refuses to run as root; -u switches to the postgres user.
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', ini] : [ini];
  const child: ChildProcess = spawn('pgbouncer', args, { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`pgbouncer could not start (${error.message}): install Debian's pgbouncer package.`)));
    child.once('exit', (code) => reject(new Error(`pgbouncer exited with ${code}`)));
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await Promise.race([
      new Promise<boolean>((resolve) => {
        const probe = createServer();
        probe.once('error', () => resolve(true));
        probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
      }),
      failed,
    ]);
    if (up) break;
    if (Date.now() > deadline) throw new Error('pgbouncer did not listen within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    async stop() {
      failed.catch(() => {});
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
