import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.ts';
import { connect, pendingMigrations, redactUrl, type Db } from '../db/index.ts';
import { errorMessage, FacteurError } from '../errors.ts';
import { isSupportedNode, MINIMUM_NODE } from '../node-version.ts';
import { Queue, QUEUE_TABLES } from '../queue/index.ts';

interface Check {
  ok: boolean;
  /** What was found. */
  finding: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

function nodeCheck(): Check {
  const ok = isSupportedNode();
  return ok
    ? { ok, finding: `Node.js ${process.versions.node}` }
    : {
        ok,
        finding: `Node.js ${process.versions.node} is too old`,
        fix: `use Node.js ${MINIMUM_NODE} or later: \`. scripts/node22.sh\` installs it into .tools/node22`,
      };
}

function poolerCheck(config: Config): Check {
  if (!config.databaseUrl)
    return { ok: true, finding: `embedded database in ${config.dataDir} (one process only; set DATABASE_URL to run several)` };
  const port = new URL(config.databaseUrl).port;
  if (config.poolMode === 'transaction') {
    return { ok: true, finding: 'transaction-mode pooler: workers poll (no LISTEN), no named prepared statements' };
  }
  if (port === '6543') {
    return {
      ok: false,
      finding: 'port 6543 is Supabase’s transaction pooler, but FACTEUR_POOL_MODE=session',
      fix: 'unset FACTEUR_POOL_MODE, or set it to transaction',
    };
  }
  return { ok: true, finding: `direct connection (${config.pollOnly ? 'polling only' : 'LISTEN/NOTIFY wake-ups'})` };
}

// Every job leaves two dead row versions, and purged jobs leave theirs: without autovacuum the
// queue's tables grow without end (measured at 500 jobs/s: 1.6 MiB and 10,000 dead rows every 10 s).
async function autovacuumCheck(db: Db): Promise<Check> {
  const { rows } = await db.query<{ autovacuum: string }>(`SELECT current_setting('autovacuum') AS autovacuum`);
  return rows[0]!.autovacuum === 'on'
    ? { ok: true, finding: 'autovacuum is on' }
    : {
        ok: false,
        finding:
          'autovacuum is off on this server: the dead rows every job leaves are never reclaimed, and the queue’s tables grow without end',
        fix: `set autovacuum = on in postgresql.conf, or VACUUM ${QUEUE_TABLES.jobs} and ${QUEUE_TABLES.attempts} on a schedule`,
      };
}

async function databaseChecks(db: Db, config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  const { rows } = await db.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`);
  const version = rows[0]!.version;
  checks.push(
    version >= 130000
      ? { ok: true, finding: `PostgreSQL ${Math.floor(version / 10000)}` }
      : { ok: false, finding: `PostgreSQL ${Math.floor(version / 10000)} is too old`, fix: 'use PostgreSQL 13 or later' },
  );
  const pending = await pendingMigrations(db);
  checks.push(
    pending.length === 0
      ? { ok: true, finding: 'every migration is applied' }
      : {
          ok: false,
          finding: `${pending.length} migration(s) not applied: ${pending.join(', ')}`,
          fix: 'run `facteur migrate` (workers and the web app also apply them at start-up)',
        },
  );
  if (config.databaseUrl) checks.push(await autovacuumCheck(db));
  if (pending.length > 0) return checks;
  const queue = new Queue(db);
  const stats = await queue.stats();
  const stuckJobs = await queue.countExpiredLeases(60_000);
  checks.push(
    stuckJobs === 0
      ? { ok: true, finding: `queue: ${stats.pending} pending, ${stats.processing} processing, ${stats.failed} failed` }
      : {
          ok: false,
          finding: `${stuckJobs} job(s) processing with a lease expired over a minute ago: no worker is reaping`,
          fix: 'start a worker (`facteur worker`), or call the worker endpoint: it reaps them',
        },
  );
  if (stats.pending > 0 && stats.oldestPendingMs > 10 * 60_000) {
    checks.push({
      ok: false,
      finding: `the oldest pending job waits for ${Math.round(stats.oldestPendingMs / 60_000)} min`,
      fix: 'is a worker running? (`facteur worker`, the in-process worker, or the cron on /api/queue/worker)',
    });
  }
  if (config.worker === 'none' && !config.cronSecret) {
    checks.push({
      ok: false,
      finding: 'no in-process worker and no CRON_SECRET: the worker endpoint refuses every call in production',
      fix: 'set CRON_SECRET, and the same secret in your scheduler',
    });
  }
  return checks;
}

/** `facteur doctor`: checks the setup and says what to fix; exit 1 when something needs fixing. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check Node.js, the configuration, the database, migrations and the queue; say what to fix')
    .action(async () => {
      const checks: Check[] = [nodeCheck()];
      let config: Config | null = null;
      try {
        config = loadConfig();
        checks.push({ ok: true, finding: 'configuration is valid' }, poolerCheck(config));
      } catch (error) {
        checks.push({ ok: false, finding: errorMessage(error), fix: 'correct the variable named above (see the README, Configuration)' });
      }
      if (config) {
        let db: Db | null = null;
        try {
          db = await connect({
            url: config.databaseUrl,
            dataDir: config.databaseUrl ? undefined : config.dataDir,
            poolMode: config.poolMode,
            maxConnections: 1,
          });
          checks.push({ ok: true, finding: `database reachable: ${config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir}` });
          checks.push(...(await databaseChecks(db, config)));
        } catch (error) {
          checks.push({
            ok: false,
            finding: errorMessage(error),
            fix: 'check DATABASE_URL (host, port, user, password, database) and that the server runs',
          });
        } finally {
          await db?.close();
        }
      }
      for (const check of checks) console.log(`${check.ok ? '✓' : '✗'} ${check.finding}${check.fix ? `\n    fix: ${check.fix}` : ''}`);
      const problems = checks.filter((check) => !check.ok).length;
      if (problems > 0) throw new FacteurError('DOCTOR_FOUND_PROBLEMS', `${problems} problem${problems === 1 ? '' : 's'} to fix.`);
    });
}
