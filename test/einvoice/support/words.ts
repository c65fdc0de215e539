// Pages of positioned words written out by hand, for tests of the field finder on one detail of a
// layout: each line is its top and its cells (left edge and text); words are 10 points high and
// 5 points a character, so words of a cell sit half a height apart and cells far apart stay apart.
import type { PageWords, Word } from '../../../src/einvoice/layout.ts';

const HEIGHT = 10;
const ADVANCE = 5;

export type WrittenLine = readonly [top: number, cells: ReadonlyArray<readonly [left: number, text: string]>];

export function writtenPage(lines: readonly WrittenLine[]): PageWords {
  const words: Word[] = [];
  for (const [top, cells] of lines) {
    for (const [left, text] of cells) {
      let x = left;
      for (const word of text.split(' ')) {
        words.push({ text: word, x0: x, x1: x + ADVANCE * word.length, y0: top, y1: top + HEIGHT, confidence: 1 });
        x += ADVANCE * (word.length + 1);
      }
    }
  }
  return { page: 1, width: 595, height: 842, words };
}
