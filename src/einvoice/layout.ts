// The page as the field finder sees it: words with their boxes, from the PDF text layer or from OCR
// alike, grouped into lines and, within a line, into cells (runs of words separated by less than a
// column gap). Coordinates are page points (or pixels for OCR) with the origin at the top left.

export interface Word {
  readonly text: string;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** OCR's confidence in the word, 0…1; 1 for the text layer. */
  readonly confidence: number;
}

export interface PageWords {
  /** 1-based page number. */
  readonly page: number;
  readonly width: number;
  readonly height: number;
  readonly words: readonly Word[];
  /** Degrees the page was turned to be read upright (OCR only). */
  readonly rotation?: number;
}

export interface Cell {
  readonly text: string;
  readonly x0: number;
  readonly x1: number;
  /** Offset of this cell's text in its line's `text`. */
  readonly start: number;
  /** The lowest OCR confidence of its words. */
  readonly confidence: number;
}

export interface Line {
  readonly page: number;
  /** Index of the line in document order (pages first, then top to bottom). */
  readonly index: number;
  readonly y0: number;
  readonly y1: number;
  readonly pageHeight: number;
  readonly pageWidth: number;
  readonly cells: readonly Cell[];
  /** The cells joined by `CELL_GAP`, so that a label may span cells ("Rechnung (380)   Nr."). */
  readonly text: string;
}

export const CELL_GAP = '   ';

const middle = (w: { y0: number; y1: number }) => (w.y0 + w.y1) / 2;

/** Words whose vertical centres lie within half a word height of each other share a line. */
function rows(words: readonly Word[]): Word[][] {
  const sorted = [...words].filter((w) => w.text.trim() !== '').sort((a, b) => middle(a) - middle(b) || a.x0 - b.x0);
  const result: Array<{ centre: number; height: number; words: Word[] }> = [];
  for (const word of sorted) {
    const height = word.y1 - word.y0;
    const row = result.find((r) => Math.abs(r.centre - middle(word)) <= Math.max(1, 0.5 * Math.min(height, r.height)));
    if (row) {
      row.words.push(word);
      row.centre = (row.centre * (row.words.length - 1) + middle(word)) / row.words.length;
    } else {
      result.push({ centre: middle(word), height, words: [word] });
    }
  }
  return result.sort((a, b) => a.centre - b.centre).map((r) => r.words.sort((a, b) => a.x0 - b.x0));
}

/** Gaps wider than this many line heights separate columns; narrower ones are spaces or kerning. */
const COLUMN_GAP = 1.2;
const SPACE_GAP = 0.2;

export function linesOf(pages: readonly PageWords[]): Line[] {
  const lines: Line[] = [];
  for (const page of pages) {
    for (const row of rows(page.words)) {
      const height = Math.max(...row.map((w) => w.y1 - w.y0), 1);
      const cells: Array<{ text: string; x0: number; x1: number; confidence: number }> = [];
      for (const word of row) {
        const last = cells.at(-1);
        const gap = last ? word.x0 - last.x1 : Number.POSITIVE_INFINITY;
        if (last && gap <= COLUMN_GAP * height) {
          const joiner = gap > SPACE_GAP * height && !/\s$/.test(last.text) ? ' ' : '';
          last.text += joiner + word.text;
          last.x1 = Math.max(last.x1, word.x1);
          last.confidence = Math.min(last.confidence, word.confidence);
        } else {
          cells.push({ text: word.text, x0: word.x0, x1: word.x1, confidence: word.confidence });
        }
      }
      let text = '';
      const placed: Cell[] = [];
      for (const cell of cells) {
        if (text !== '') text += CELL_GAP;
        const trimmed = cell.text.trim().replace(/\s+/g, ' ');
        placed.push({ ...cell, text: trimmed, start: text.length });
        text += trimmed;
      }
      lines.push({
        page: page.page,
        index: lines.length,
        y0: Math.min(...row.map((w) => w.y0)),
        y1: Math.max(...row.map((w) => w.y1)),
        pageHeight: page.height,
        pageWidth: page.width,
        cells: placed,
        text,
      });
    }
  }
  return lines;
}

/** The cell holding a character offset of the line's text (or the next cell, in a gap). */
export function cellAt(line: Line, offset: number): number {
  let found = 0;
  line.cells.forEach((cell, i) => {
    if (cell.start <= offset) found = i;
  });
  return found;
}

/** The horizontal extent of a span of the line's text, interpolated within its cells. */
export function spanBox(line: Line, from: number, to: number): { x0: number; x1: number } {
  const at = (offset: number) => {
    const cell = line.cells[cellAt(line, offset)];
    if (!cell) return 0;
    const share = cell.text.length === 0 ? 0 : Math.min(1, Math.max(0, (offset - cell.start) / cell.text.length));
    return cell.x0 + share * (cell.x1 - cell.x0);
  };
  return { x0: at(from), x1: at(Math.max(from, to - 1) + 1) };
}
