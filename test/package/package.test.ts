// The package as another project gets it: `npm pack`, installed into a fresh folder outside the
// repository, used by a plain Node script and by a Next.js app built with `next build` and served
// on a real socket. One pack and one install serve both.
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printInvoice, SAMPLES } from '../einvoice/support/printed.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { freePort } from '../support/ports.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OWN = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const OLD_NODE = '/usr/bin/node';
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

let folder: string;
let consumer: string;
let files: string[];

// What both consumers answer for the same files.
const expected = {
  payload: { from: 'consumer' },
  status: 'completed',
  invoices: [
    { format: 'cii', number: sampleInvoice().fields['BT-1'] },
    { format: 'pdf-text', number: SAMPLES.en.number },
  ],
};

function summaryOf(answer: { migrations: number; invoices: { format: string; number: string }[] } & Record<string, unknown>) {
  expect(answer.migrations).toBeGreaterThan(0);
  return { payload: answer.payload, status: answer.status, invoices: answer.invoices.map(({ format, number }) => ({ format, number })) };
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'facteur-package-'));
  // dist/ is fresh (the main project's global setup): pack it as it is, no second build.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', folder, ...NPM_QUIET], { cwd: ROOT });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  consumer = join(folder, 'consumer');
  cpSync(fileURLToPath(new URL('./consumer', import.meta.url)), consumer, { recursive: true });
  const dependencies = {
    facteur: `file:${join(folder, filename)}`,
    next: OWN.dependencies.next,
    react: OWN.dependencies.react,
    'react-dom': OWN.dependencies['react-dom'],
  };
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
  await run('npm', ['install', '--prefer-offline', ...NPM_QUIET], { cwd: consumer });
  files = [join(folder, 'invoice.xml'), join(folder, 'printed.pdf')];
  writeFileSync(files[0]!, writeCii(sampleInvoice()));
  writeFileSync(files[1]!, await printInvoice({ ...SAMPLES.en, layout: 'beside' }));
}, 600_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('the packed package, installed', () => {
  it('carries the compiled code, its declarations, the CLI and the migrations, and no sources', () => {
    const installed = join(consumer, 'node_modules', 'facteur');
    const listing = (path: string) => readFileSync(join(installed, path));
    expect(() => listing('dist/index.js')).not.toThrow();
    expect(() => listing('dist/index.d.ts')).not.toThrow();
    expect(() => listing('dist/einvoice/visual/worker.js')).not.toThrow();
    expect(() => listing('bin/facteur.js')).not.toThrow();
    expect(() => listing('src/index.ts')).toThrow();
    expect(readFileSync(join(installed, 'package.json'), 'utf8')).toContain('"./einvoice"');
  });

  it('runs in a plain Node script: migrate, enqueue, a Worker completes the job, extractInvoice reads XML and a PDF', async () => {
    const { stdout } = await run(process.execPath, ['engine.mjs', ...files], { cwd: consumer });
    expect(summaryOf(JSON.parse(stdout))).toEqual(expected);
  });

  it('runs the installed CLI', async () => {
    const { stdout } = await run(process.execPath, [join(consumer, 'node_modules', '.bin', 'facteur'), 'extract', files[0]!, '--json'], {
      cwd: consumer,
    });
    expect(JSON.parse(stdout).fields['BT-1']).toBe(sampleInvoice().fields['BT-1']);
  });

  it('on a Node older than 22.18, the CLI and the package entry say which Node they need', async () => {
    // The machine's older Node when it has one (Debian's /usr/bin/node is 20), else this one told it is 20.
    const { stdout: version } = await run(OLD_NODE, ['-p', 'process.versions.node']).catch(() => ({ stdout: '' }));
    const [major = 0] = version.trim().split('.').map(Number);
    const [node, args] =
      major >= 20 && major < 22
        ? [OLD_NODE, []]
        : [process.execPath, ['--import', 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"})']];
    const cli = await run(node, [...args, join(consumer, 'node_modules', '.bin', 'facteur'), '--help'], { cwd: consumer }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(cli?.code).toBe(1);
    expect(cli?.stderr).toMatch(/^facteur needs Node\.js 22\.18 or later \(this is 20\.\d+\.\d+\)\n$/);
    const entry = await run(
      node,
      [...args, '--input-type=module', '-e', "import('facteur').catch((e) => console.log(e.code, e.message))"],
      { cwd: consumer },
    );
    expect(entry.stdout).toMatch(/^NODE_UNSUPPORTED facteur needs Node\.js 22\.18 or later/);
  });

  it('runs in a Next.js route handler, built with next build and served by next start', async () => {
    const next = join(consumer, 'node_modules', 'next', 'dist', 'bin', 'next');
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    await run(process.execPath, [next, 'build'], { cwd: consumer, env });
    const port = await freePort();
    const server = spawn(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: consumer, env, stdio: 'ignore' });
    try {
      const answer = await answerOnceUp(`http://127.0.0.1:${port}/api/round-trip`, JSON.stringify({ files }), () => server.exitCode);
      expect(answer.status).toBe(200);
      expect(summaryOf(await answer.json())).toEqual(expected);
    } finally {
      server.kill('SIGTERM');
    }
  }, 600_000);
});

/** POSTs `body` once the server accepts connections (within 60 s). */
async function answerOnceUp(url: string, body: string, exitCode: () => number | null): Promise<Response> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode() !== null) throw new Error(`next start exited with ${exitCode()}`);
    try {
      return await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
