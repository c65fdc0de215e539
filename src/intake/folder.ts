// A watched folder: files dropped in DIR become invoices, then move to DIR/processed/ (or to
// DIR/refused/ with a NAME.reason.txt). The folder is scanned by polling: fs.watch misses events on
// network shares and some container mounts and reports differently on each platform, and a scan
// is what finds again, after a crash, the files a watcher's events were about.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { WatchConfig } from '../config.ts';
import type { Db } from '../db/types.ts';
import { FacteurError, InvalidInputError, errorMessage } from '../errors.ts';
import type { Queue } from '../queue/index.ts';
import { acceptFile, checkSize, findArrival, storeInvoices } from '../invoices/store.ts';

export const PROCESSED = 'processed';
export const REFUSED = 'refused';

/** Names being written or left by editors and downloaders: never taken. */
const IN_PROGRESS = /^\.|~$|\.(part|tmp|crdownload)$/i;

export interface FolderOptions {
  /** The folder to watch; processed/ and refused/ are made inside it. */
  dir: string;
  /** Whose invoices the files become. */
  owner: string;
  maxBytes: number;
  /** A file is taken once its size and mtime have not changed for this long (and over one scan at least). */
  settleMs: number;
}

/** What one scan did, for logs and tests. */
export interface ScanReport {
  taken: { file: string; invoiceId: string; duplicateOf?: string; again: boolean }[];
  refused: { file: string; code: string }[];
  /** Files seen but not yet settled, or whose store failed and will be tried again. */
  waiting: number;
}

interface Sighting {
  size: bigint;
  mtimeNs: bigint;
  since: number;
}

/**
 * The arrival of one file: the folder, the name, the bytes and the file itself (device, inode and
 * change time). A crash after the commit leaves the same file in place, so a scan after a restart
 * finds the same key and only moves it; a file dropped again later, even with the same name and
 * bytes, is another inode or another change time (a move into the folder changes it), so another
 * arrival, stored as a new invoice that says which earlier one has the same bytes.
 */
function arrivalKey(dir: string, name: string, sha256: string, file: { dev: bigint; ino: bigint; ctimeNs: bigint }): string {
  const identity = [dir, name, sha256, file.dev, file.ino, file.ctimeNs].join('\0');
  return `folder:${createHash('sha256').update(identity).digest('hex')}`;
}

const gone = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** A free name in `folder` for `name`: the name itself, else `stem-1.ext`, `stem-2.ext`… */
async function freeName(folder: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? name : `${stem}-${n}${ext}`;
    try {
      await stat(join(folder, candidate));
    } catch (error) {
      if (gone(error)) return candidate;
      throw error;
    }
  }
}

/**
 * Moves `path` into `folder` under a free name; false when `path` is gone, which only another
 * watcher of the same folder does (it took or refused the same file a moment earlier).
 */
async function moveInto(path: string, folder: string, target?: string): Promise<boolean> {
  try {
    // A folder chosen at run time: not one for the Next.js build to trace into the bundle.
    await rename(
      /* turbopackIgnore: true */ path,
      join(/* turbopackIgnore: true */ folder, target ?? (await freeName(folder, basename(path)))),
    );
    return true;
  } catch (error) {
    if (gone(error) && !(await stat(path).catch(() => null))) return false;
    throw error;
  }
}

export class WatchedFolder {
  readonly dir: string;
  private readonly sightings = new Map<string, Sighting>();
  private readonly deps: { db: Db; queue: Queue; logger: Logger };
  private readonly options: FolderOptions;
  private readonly afterCommit: (file: string) => void;

  /** `afterCommit` runs between the commit and the move: the tests crash there. */
  constructor(deps: { db: Db; queue: Queue; logger: Logger }, options: FolderOptions, afterCommit: (file: string) => void = () => {}) {
    this.deps = deps;
    this.options = options;
    this.afterCommit = afterCommit;
    this.dir = resolve(options.dir);
  }

  /** Checks the folder and makes processed/ and refused/. */
  async open(): Promise<void> {
    let info;
    try {
      info = await stat(this.dir);
    } catch (error) {
      throw new InvalidInputError('FOLDER_UNREADABLE', `${this.dir} cannot be read: ${errorMessage(error)}.`);
    }
    if (!info.isDirectory()) throw new InvalidInputError('NOT_A_FOLDER', `${this.dir} is not a folder.`);
    await mkdir(join(this.dir, PROCESSED), { recursive: true });
    await mkdir(join(this.dir, REFUSED), { recursive: true });
  }

  /** Scans until `signal` aborts, one scan every `intervalMs`; a scan under way finishes its file first. */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    await this.open();
    while (!signal.aborted) {
      try {
        const report = await this.scan(signal);
        if (report.taken.length || report.refused.length) this.deps.logger.info(report, 'folder scanned');
      } catch (error) {
        // The database or the folder is away for a while: the files wait in place for the next scan.
        this.deps.logger.error({ err: error, dir: this.dir }, 'folder scan failed; trying again at the next one');
      }
      await sleep(intervalMs, undefined, { signal }).catch(() => {});
    }
  }

  /** One pass over the folder: settled files are taken or refused, the others watched. */
  async scan(signal?: AbortSignal): Promise<ScanReport> {
    const report: ScanReport = { taken: [], refused: [], waiting: 0 };
    const now = Date.now();
    const entries = await readdir(this.dir, { withFileTypes: true });
    const present = new Set<string>();
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (signal?.aborted) break;
      if (!entry.isFile() || IN_PROGRESS.test(entry.name)) continue;
      present.add(entry.name);
      const path = join(this.dir, entry.name);
      const info = await stat(path, { bigint: true }).catch(() => null);
      if (!info) continue;
      const seen = this.sightings.get(entry.name);
      if (!seen || seen.size !== info.size || seen.mtimeNs !== info.mtimeNs) {
        this.sightings.set(entry.name, { size: info.size, mtimeNs: info.mtimeNs, since: now });
        report.waiting++;
        continue;
      }
      if (now - seen.since < this.options.settleMs) {
        report.waiting++;
        continue;
      }
      try {
        await this.take(entry.name, seen, report);
      } catch (error) {
        report.waiting++;
        this.deps.logger.error({ err: error, file: path }, 'file not taken; trying again at the next scan');
      }
    }
    for (const name of this.sightings.keys()) if (!present.has(name)) this.sightings.delete(name);
    return report;
  }

  private async take(name: string, seen: Sighting, report: ScanReport): Promise<void> {
    const path = join(this.dir, name);
    let accepted;
    let file;
    try {
      // Before reading: a file over the limit is refused without being held in memory.
      checkSize(name, Number(seen.size), this.options.maxBytes);
      const bytes = new Uint8Array(await readFile(path));
      file = await stat(path, { bigint: true });
      if (file.size !== seen.size || file.mtimeNs !== seen.mtimeNs || BigInt(bytes.byteLength) !== seen.size) {
        this.sightings.delete(name); // written to while read: watched again from scratch
        report.waiting++;
        return;
      }
      accepted = acceptFile(name, bytes, this.options.maxBytes);
    } catch (error) {
      if (gone(error)) {
        // Moved away since the listing: by another watcher of this folder, or by hand.
        this.sightings.delete(name);
        return;
      }
      if (!(error instanceof FacteurError)) throw error;
      if (await this.refuse(name, error)) report.refused.push({ file: name, code: error.code });
      return;
    }
    const key = arrivalKey(this.dir, name, accepted.sha256, file);
    const { db, queue } = this.deps;
    let invoiceId = await findArrival(db, this.options.owner, key);
    const again = invoiceId !== null;
    let duplicateOf: string | undefined;
    if (invoiceId === null) {
      try {
        const [stored] = await storeInvoices(db, queue, this.options.owner, [{ ...accepted, arrivalKey: key }], {
          source: { kind: 'folder', details: { folder: this.dir } },
        });
        invoiceId = stored!.invoiceId;
        duplicateOf = stored!.duplicateOf;
      } catch (error) {
        // Another watcher of the same folder committed this arrival first: it is taken, only move it.
        invoiceId = await findArrival(db, this.options.owner, key);
        if (invoiceId === null) throw error;
      }
    }
    this.afterCommit(name);
    this.sightings.delete(name);
    // Gone: another watcher of this folder committed the same arrival and moved the file first.
    if (!(await moveInto(path, join(this.dir, PROCESSED)))) return;
    report.taken.push({ file: name, invoiceId, again, ...(duplicateOf ? { duplicateOf } : {}) });
  }

  /** The reason is written before the move, under the name the file will have: a crash between the two writes it again. */
  private async refuse(name: string, error: FacteurError): Promise<boolean> {
    const folder = join(this.dir, REFUSED);
    const target = await freeName(folder, name);
    await writeFile(join(folder, `${target}.reason.txt`), `${error.code}\n${error.message}\n`);
    this.sightings.delete(name);
    if (await moveInto(join(this.dir, name), folder, target)) return true;
    // The other watcher may have moved it under this same name, with this same reason: keep that one.
    if (!(await stat(join(folder, target)).catch(() => null))) await rm(join(folder, `${target}.reason.txt`), { force: true });
    return false;
  }
}

/** A folder watched in the background, beside a worker. */
export interface FolderWatch {
  readonly dir: string;
  /** Stops scanning; the file being taken is finished (committed and moved) first. */
  stop(): Promise<void>;
}

/** Checks the folder (a bad one fails here, at start-up), then scans it until stopped. */
export async function startFolderWatch(
  deps: { db: Db; queue: Queue; logger: Logger },
  watch: WatchConfig,
  maxBytes: number,
): Promise<FolderWatch> {
  const folder = new WatchedFolder(deps, { dir: watch.dir, owner: watch.owner, maxBytes, settleMs: watch.settleMs });
  await folder.open();
  const stopping = new AbortController();
  const running = folder.run(watch.intervalMs, stopping.signal);
  deps.logger.info({ dir: folder.dir, owner: watch.owner, intervalMs: watch.intervalMs, settleMs: watch.settleMs }, 'watching');
  return {
    dir: folder.dir,
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}
