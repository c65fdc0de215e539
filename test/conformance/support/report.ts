// Agreement figures and disagreement lists, as the conformance test prints them and the bench saves them.
import { applicableArtefact, disagreements, verdictAgrees, type ConformanceCase, type Judgement } from './agreement.ts';

const percent = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);

const sameRules = (j: Judgement): boolean => disagreements(j).length === 0;

/** The judgements by each file's applicable artefact only. */
export function applicableJudgements(cases: readonly ConformanceCase[], judgements: readonly Judgement[]): Judgement[] {
  const wanted = new Map(cases.map((c) => [c.name, applicableArtefact(c)]));
  return judgements.filter((j) => wanted.get(j.file) === j.artefact);
}

/** A Markdown table per artefact (files, verdict agreement, rule-id agreement), then the rules that disagree most. */
export function agreementTable(judgements: readonly Judgement[]): string[] {
  const artefacts = [...new Set(judgements.map((j) => j.artefact))].sort();
  const rows = artefacts.map((artefact) => {
    const mine = judgements.filter((j) => j.artefact === artefact);
    return `| ${artefact} | ${mine.length} | ${percent(mine.filter(verdictAgrees).length, mine.length)} | ${percent(mine.filter(sameRules).length, mine.length)} |`;
  });
  const total = `| all | ${judgements.length} | ${percent(judgements.filter(verdictAgrees).length, judgements.length)} | ${percent(judgements.filter(sameRules).length, judgements.length)} |`;
  const byRule = new Map<string, number>();
  for (const key of judgements.flatMap(disagreements)) {
    const [, artefact, what, rule] = key.split(' ');
    const name = `${artefact} ${what} ${rule}`;
    byRule.set(name, (byRule.get(name) ?? 0) + 1);
  }
  const ranked = [...byRule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return [
    '| artefact | files | same verdict | same error rules |',
    '|---|---:|---:|---:|',
    ...rows,
    total,
    '',
    `Disagreements by artefact and rule (${ranked.length}; files each):`,
    '',
    ...ranked.map(([name, count]) => `- ${name}: ${count}`),
  ];
}
