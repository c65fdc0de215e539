// Spaces pdfjs invents inside words. Its text layer writes a space wherever a glyph of a TJ array is
// shown more than 0.102 em to the right of where the previous one ended. Some PDFs move letters
// that far to kern: FOP sets bold text with the regular font's widths and makes up the difference
// with TJ adjustments, so "Lieferant GmbH" comes out "Liefer ant GmbH" (bold "r" is 0.11 em wider).
// A space between words is at least about a fifth of an em (a quarter in Times, more in
// Helvetica), so a push narrower than `KERNING_MAX_EM` is kerning: the operator list, which keeps
// the TJ adjustments, says where those pushes are, and the space pdfjs put there is taken out.
import { OPS, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** pdfjs's own threshold for a space (SPACE_IN_FLOW_MIN_FACTOR in its text layer). */
const PDFJS_SPACE_EM = 0.102;
const KERNING_MAX_EM = 0.125;
/** Letters each side of a push that identify it in the text layer's string. */
const CONTEXT = 3;

interface Glyph {
  readonly unicode: string;
  readonly isSpace: boolean;
}

/**
 * Where a page's text was pushed apart by kerning that pdfjs reads as a space: for each font (the
 * text layer's `fontName`), the letters around each push, written with the space pdfjs puts there
 * ("fer ant").
 */
export async function kernedSpaces(page: PDFPageProxy): Promise<Map<string, string[]>> {
  const { fnArray, argsArray } = await page.getOperatorList();
  const found = new Map<string, string[]>();
  let font = '';
  let size = 1;
  let charSpacing = 0;
  fnArray.forEach((fn, i) => {
    const args = argsArray[i] as unknown[];
    if (fn === OPS.setFont) {
      font = String(args[0]);
      size = Math.abs(Number(args[1])) || 1;
    } else if (fn === OPS.setCharSpacing) {
      charSpacing = Number(args[0]) || 0;
    } else if (fn === OPS.showText) {
      const pushes = pushesIn(args[0] as ReadonlyArray<Glyph | number>, charSpacing / size);
      if (pushes.length > 0) found.set(font, [...(found.get(font) ?? []), ...pushes]);
    }
  });
  return found;
}

/** The kerning pushes of one TJ array, each as its letters around a space, left to right. */
function pushesIn(run: ReadonlyArray<Glyph | number>, charSpacingEm: number): string[] {
  const glyphs: Array<{ text: string; gapBefore: number }> = [];
  let gap = 0;
  for (const item of run) {
    if (typeof item === 'number') {
      // TJ numbers are thousandths of an em, positive to the left.
      gap -= item / 1000;
    } else if (item) {
      glyphs.push({ text: item.isSpace ? ' ' : item.unicode.normalize('NFKC'), gapBefore: glyphs.length === 0 ? 0 : gap + charSpacingEm });
      gap = 0;
    }
  }
  const pushes: string[] = [];
  glyphs.forEach((glyph, i) => {
    const previous = glyphs[i - 1];
    if (!previous || glyph.text === ' ' || previous.text === ' ') return;
    if (glyph.gapBefore < PDFJS_SPACE_EM || glyph.gapBefore >= KERNING_MAX_EM) return;
    // Pushes are taken out left to right: the letters before one are already joined, the letters
    // after it stop at the next space pdfjs writes.
    let before = '';
    for (let j = i - 1; j >= 0 && before.length < CONTEXT; j -= 1) {
      const g = glyphs[j];
      if (!g || g.text === ' ') break;
      before = g.text + before;
      if (g.gapBefore >= KERNING_MAX_EM) break;
    }
    let after = '';
    for (let j = i; j < glyphs.length && after.length < CONTEXT; j += 1) {
      const g = glyphs[j];
      if (!g || g.text === ' ' || (j > i && g.gapBefore >= PDFJS_SPACE_EM)) break;
      after += g.text;
    }
    pushes.push(`${before} ${after}`);
  });
  return pushes;
}

/** A text layer string with the spaces of its font's kerning pushes taken out. */
export function withoutKernedSpaces(text: string, pushes: readonly string[] | undefined): string {
  let joined = text;
  for (const push of pushes ?? []) {
    const at = joined.indexOf(push);
    if (at >= 0) joined = joined.slice(0, at) + push.replace(' ', '') + joined.slice(at + push.length);
  }
  return joined;
}
