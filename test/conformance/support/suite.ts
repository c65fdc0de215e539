// A conformance suite needs Saxon-HE, the official artefacts and, for the corpus, the corpus. In CI
// (or when FACTEUR_CORPUS names a corpus) their absence is a failure with a sentence saying what is
// missing; elsewhere the suite says why it did not run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { CORPUS_DIR } from './agreement.ts';
import { CONFORMANCE_DIR, oracleUnavailable } from './oracle.ts';

export function describeConformance(title: string, needs: { corpus: boolean }, body: () => void): void {
  const missing =
    oracleUnavailable(CONFORMANCE_DIR) ??
    (needs.corpus && !existsSync(join(CORPUS_DIR, 'files')) ? `the corpus is not at ${CORPUS_DIR} (set FACTEUR_CORPUS)` : undefined);
  if (missing === undefined) {
    describe(title, body);
  } else if (process.env.CI || process.env.FACTEUR_CORPUS) {
    describe(title, () => {
      it('has what it needs to run', () => {
        throw new Error(`The conformance suite cannot run: ${missing}.`);
      });
    });
  } else {
    describe.skip(`${title} (not run: ${missing})`, body);
  }
}
