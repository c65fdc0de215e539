// Agreement of Facteur's validation with the official artefacts on the shared corpus:
//   npm run bench:conformance -- [--corpus $FACTEUR_CORPUS] [--conformance $FACTEUR_CONFORMANCE] [--out bench/results]
// (by default ../shared/corpus and ../shared/conformance from the repository)
// Every XML file and hybrid PDF is judged by CEN for its syntax and, for a Factur-X file, by its
// profile's Schematron too (Saxon-HE, one JVM per artefact); the report gives, per artefact, the
// agreement on the verdict and on the set of error rule ids, and lists every disagreement.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopVisualWorkers } from '../../src/einvoice/index.ts';
import { agreementTable, applicableJudgements } from '../../test/conformance/support/report.ts';
import { allArtefacts, CORPUS_DIR, corpusCases, judge } from '../../test/conformance/support/agreement.ts';
import { CONFORMANCE_DIR, oracleUnavailable } from '../../test/conformance/support/oracle.ts';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: CORPUS_DIR },
    conformance: { type: 'string', default: CONFORMANCE_DIR },
    out: { type: 'string', default: 'bench/results' },
  },
});
const corpus = resolve(args.corpus);
const conformance = resolve(args.conformance);
const unavailable = oracleUnavailable(conformance);
if (unavailable) {
  console.error(`bench:conformance cannot run: ${unavailable}`);
  process.exit(1);
}

const started = performance.now();
const files = (await readdir(join(corpus, 'files')))
  .filter((n) => /\.(xml|pdf)$/.test(n))
  .sort()
  .map((n) => join(corpus, 'files', n));
const cases = await corpusCases(files);
const judgements = await judge(conformance, cases, allArtefacts);
await stopVisualWorkers();
const seconds = (performance.now() - started) / 1000;

const applicable = applicableJudgements(cases, judgements);
const lines = [
  `# Conformance with the official artefacts (${new Date().toISOString()})`,
  '',
  `${files.length} XML and PDF files, ${cases.length} with invoice XML (${cases.filter((c) => c.syntax === 'zugferd1').length} ZUGFeRD 1.0 without a Schematron); ${seconds.toFixed(0)} s.`,
  '',
  '## Per artefact (every file it applies to)',
  '',
  ...agreementTable(judgements),
  '',
  '## The applicable artefact (the profile’s for Factur-X, CEN otherwise)',
  '',
  ...agreementTable(applicable),
];
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
await mkdir(args.out, { recursive: true });
await writeFile(join(args.out, `conformance-${stamp}.md`), `${lines.join('\n')}\n`);
await writeFile(join(args.out, `conformance-${stamp}.json`), `${JSON.stringify({ seconds, judgements }, null, 1)}\n`);
console.log(lines.join('\n'));
