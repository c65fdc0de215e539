// Facteur's verdicts against the official artefacts on every XML file and hybrid PDF of the shared
// corpus, each file judged by the artefact that applies to it. Every disagreement must be listed in
// known-disagreements.json, as an artefact quirk (permanent) or as backlog (rules not implemented
// yet, a list that may only shrink); a listed one that no longer occurs fails too, so the list stays true.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { stopVisualWorkers } from '../../src/einvoice/index.ts';
import { applicableArtefact, CORPUS_DIR, corpusCases, disagreements, judge, type Judgement } from './support/agreement.ts';
import { CONFORMANCE_DIR } from './support/oracle.ts';
import { agreementTable } from './support/report.ts';
import { describeConformance } from './support/suite.ts';

interface KnownList {
  readonly quirks: ReadonlyArray<{ reason: string; disagreements: string[] }>;
  readonly backlog: ReadonlyArray<{ reason: string; disagreements: string[] }>;
}

describeConformance('agreement with the official artefacts on the corpus', { corpus: true }, () => {
  let judgements: Judgement[] = [];
  let known: KnownList;

  beforeAll(async () => {
    known = JSON.parse(await readFile(new URL('./known-disagreements.json', import.meta.url), 'utf8')) as KnownList;
    const files = (await readdir(join(CORPUS_DIR, 'files'))).filter((n) => /\.(xml|pdf)$/.test(n)).sort();
    const cases = await corpusCases(files.map((n) => join(CORPUS_DIR, 'files', n)));
    judgements = await judge(CONFORMANCE_DIR, cases, (c) => [applicableArtefact(c) ?? []].flat());
    await stopVisualWorkers();
    console.log(agreementTable(judgements).join('\n'));
  }, 900_000);

  const listed = () => [...known.quirks, ...known.backlog].flatMap((group) => group.disagreements);

  it('judges the corpus', () => {
    expect(judgements.length).toBeGreaterThan(300);
  });

  it('disagrees only where the list of known disagreements says so', () => {
    const expected = new Set(listed());
    expect(judgements.flatMap(disagreements).filter((d) => !expected.has(d))).toEqual([]);
  });

  it('lists no disagreement that no longer occurs (fixed backlog items leave the list)', () => {
    const occurring = new Set(judgements.flatMap(disagreements));
    expect(listed().filter((d) => !occurring.has(d))).toEqual([]);
  });
});
