// The OCR path, for scans and photos: pages rendered by pdfjs on @napi-rs/canvas (or the image as
// uploaded), cleaned up with sharp (upright, grey, ~300 dpi, contrast stretched), read by
// tesseract.js with the French and English traineddata shipped in node_modules. Nothing is
// downloaded: the traineddata is copied from node_modules into one local folder (tesseract.js 7
// reads every language from one `langPath`) and `cacheMethod: 'none'` keeps it from writing a cache.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp, { type Sharp } from 'sharp';
import { createWorker, PSM, type Worker as TesseractWorker } from 'tesseract.js';
import { packageDir } from '../../paths.ts';
import { InvoiceError } from '../errors.ts';
import type { PageWords, Word } from '../layout.ts';

export interface OcrLimits {
  /** Largest image accepted, decoded, in pixels: a decompression bomb stops here, before decoding. */
  readonly maxImagePixels: number;
  /** The resolution pages are rendered and images scaled to. */
  readonly ocrDpi: number;
}

const LANGUAGES = ['fra', 'eng'] as const;
const TRAINEDDATA = '4.0.0_best_int';
const A4_WIDTH_INCHES = 8.27;
/**
 * Grey lighter than this, once the contrast is stretched, is paper: shaded table rows come out
 * white. Tesseract's layout analysis takes a light grey band for a picture and skips the words on
 * it ("USt.-Id.-Nr.: DE123456789" on a shaded row was never read).
 */
const PAPER_GREY = 215;

async function languageFolder(): Promise<string> {
  const folder = join(tmpdir(), `facteur-tessdata-${TRAINEDDATA}`);
  await mkdir(folder, { recursive: true });
  for (const language of LANGUAGES) {
    const target = join(folder, `${language}.traineddata.gz`);
    const present = await stat(target).then(
      (s) => s.size > 0,
      () => false,
    );
    if (present) continue;
    const source = join(packageDir(`@tesseract.js-data/${language}`), TRAINEDDATA, `${language}.traineddata.gz`);
    // Copy to a temporary name first: two processes starting at once never read half a file.
    const partial = `${target}.${process.pid}.part`;
    await copyFile(source, partial);
    await import('node:fs/promises').then((fs) => fs.rename(partial, target));
  }
  return folder;
}

let engine: Promise<TesseractWorker> | undefined;

/** One tesseract worker per thread, started on first use (about a second) and kept. */
function tesseract(): Promise<TesseractWorker> {
  engine ??= (async () => {
    const worker = await createWorker([...LANGUAGES], 1, { langPath: await languageFolder(), gzip: true, cacheMethod: 'none' });
    await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, preserve_interword_spaces: '1' });
    return worker;
  })();
  engine.catch(() => {
    engine = undefined;
  });
  return engine;
}

interface Reading {
  readonly words: Word[];
  /** Mean word confidence weighted by length, 0…100: how readable the page is this way up. */
  readonly confidence: number;
  /** The confidence discounted for pages that yield little text, to compare the ways up. */
  readonly quality: number;
}

/** A grey page, one byte a pixel. */
interface Grey {
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
}

async function greyOf(image: Sharp): Promise<Grey> {
  const { data, info } = await image.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const pixels = info.channels === 1 ? data : await sharp(data, { raw: info }).extractChannel(0).raw().toBuffer();
  return { pixels, width: info.width, height: info.height };
}

const sharpOf = (grey: Grey) => sharp(grey.pixels, { raw: { width: grey.width, height: grey.height, channels: 1 } });

/**
 * Tesseract is given PGM, which costs nothing to write and nothing to read: a PNG took about half a
 * second to encode here and as long to inflate in WebAssembly, twice when tesseract deskews a
 * tilted scan (bench/extract, 2026-12-06).
 */
const pgm = (grey: Grey) => Buffer.concat([Buffer.from(`P5\n${grey.width} ${grey.height}\n255\n`), grey.pixels]);

async function recognise(grey: Grey, dpi: number): Promise<Reading> {
  const worker = await tesseract();
  await worker.setParameters({ user_defined_dpi: String(Math.round(dpi)) });
  const { data } = await worker.recognize(pgm(grey), { rotateAuto: true }, { blocks: true, text: false });
  const words: Word[] = [];
  let weighted = 0;
  let letters = 0;
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        for (const word of line.words) {
          // Table rules come out as "|" glued to the words beside them.
          const text = word.text.replace(/^[|¦]+|[|¦]+$/g, '').trim();
          if (text === '') continue;
          words.push({ text, ...word.bbox, confidence: word.confidence / 100 });
          const alnum = text.replace(/[^\p{L}\p{N}]/gu, '').length;
          weighted += alnum * word.confidence;
          letters += alnum;
        }
      }
    }
  }
  const confidence = letters === 0 ? 0 : weighted / letters;
  return { words, confidence, quality: confidence * Math.min(1, letters / 200) };
}

/** Most words of four letters or more are taller than wide: the text runs up or down the page. */
function isSideways(words: readonly Word[]): boolean {
  let tall = 0;
  let wide = 0;
  for (const w of words) {
    if (w.text.length < 4) continue;
    if (w.y1 - w.y0 > w.x1 - w.x0) tall += 1;
    else wide += 1;
  }
  return tall > wide;
}

/** The most a page image is enlarged before OCR: a 75 dpi scan reaches 300 dpi. */
const MAX_UPSCALE = 4;

/** Sharp with the pixel limit that stops decompression bombs before they are decoded. */
function open(input: Buffer | Uint8Array, limits: OcrLimits, raw?: { width: number; height: number; channels: 4 }) {
  return sharp(input, { limitInputPixels: limits.maxImagePixels, failOn: 'error', ...(raw ? { raw } : {}) });
}

function imageError(cause: unknown): InvoiceError {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/pixel limit/i.test(message))
    return new InvoiceError('IMAGE_TOO_LARGE', `The image has more pixels than the limit: ${message}`, { cause });
  return new InvoiceError('CORRUPT_IMAGE', `The image cannot be decoded: ${message}`, { cause });
}

/**
 * OCRs one upright-or-not page image: grey, scaled to about `ocrDpi` for an A4 width, contrast
 * stretched. A page that reads badly is tried at 90, 180 and 270 degrees on a small copy first, and
 * read in full the way up that reads best.
 */
export async function ocrImage(
  input: Buffer | Uint8Array,
  page: number,
  limits: OcrLimits,
  raw?: { width: number; height: number; channels: 4 },
): Promise<PageWords> {
  let grey: Grey;
  try {
    // rotate() with no angle applies the EXIF orientation of phone photos; a transparent
    // background is paper.
    const image = open(input, limits, raw).rotate().flatten({ background: '#ffffff' }).greyscale();
    const meta = await open(input, limits, raw).metadata();
    // Scans below ~250 dpi are scaled up (the short side taken as an A4 width): tesseract reads
    // 10-point text best at 300 dpi. The result is held to the pixel limit too, and to MAX_UPSCALE:
    // a page a few pixels wide (a 0.22 × 842 pt PDF page) would otherwise become millions tall.
    const [width, height] = [meta.width ?? 0, meta.height ?? 0];
    const shorter = Math.min(width, height);
    const target = A4_WIDTH_INCHES * limits.ocrDpi;
    const upscale =
      shorter > 0 && shorter < target * 0.8
        ? Math.min(target / shorter, MAX_UPSCALE, Math.sqrt(limits.maxImagePixels / (width * height)))
        : 1;
    const resized = upscale > 1 ? image.resize({ width: Math.round(width * upscale), kernel: 'lanczos3' }) : image;
    grey = await greyOf(resized.normalise().linear(255 / PAPER_GREY, 0));
  } catch (cause) {
    throw imageError(cause);
  }
  const dpi = Math.min(grey.width, grey.height) / A4_WIDTH_INCHES || limits.ocrDpi;
  const upright = await recognise(grey, dpi);
  let best = { angle: 0, reading: upright };
  // Tesseract reads a sideways page as columns of tall words; an upside-down one, badly.
  const tryAngles = isSideways(upright.words) ? [90, 270] : upright.confidence < 55 ? [90, 180, 270] : [];
  if (tryAngles.length > 0) {
    const small = await greyOf(sharpOf(grey).resize({ width: Math.min(1200, grey.width) }));
    let bestQuality = tryAngles.length === 2 ? 0 : (await recognise(small, dpi / 2)).quality;
    let bestAngle = 0;
    for (const angle of tryAngles) {
      const quality = (await recognise(await greyOf(sharpOf(small).rotate(angle)), dpi / 2)).quality;
      if (quality > bestQuality + 5) {
        bestQuality = quality;
        bestAngle = angle;
      }
    }
    if (bestAngle !== 0) best = { angle: bestAngle, reading: await recognise(await greyOf(sharpOf(grey).rotate(bestAngle)), dpi) };
  }
  const turned = best.angle === 90 || best.angle === 270;
  return {
    page,
    width: turned ? grey.height : grey.width,
    height: turned ? grey.width : grey.height,
    words: best.reading.words,
    rotation: best.angle,
  };
}

/** Renders the first pages of a PDF at `ocrDpi` (fewer dots for huge pages) and OCRs them. */
export async function* ocrPdf(document: PDFDocumentProxy, maxPages: number, limits: OcrLimits): AsyncGenerator<PageWords> {
  for (let number = 1; number <= Math.min(maxPages, document.numPages); number += 1) {
    const page = await document.getPage(number);
    const unscaled = page.getViewport({ scale: 1 });
    const scale = Math.min(limits.ocrDpi / 72, Math.sqrt(limits.maxImagePixels / (unscaled.width * unscaled.height)));
    const viewport = page.getViewport({ scale });
    const width = Math.ceil(viewport.width);
    const height = Math.ceil(viewport.height);
    const factory = document.canvasFactory as {
      create(w: number, h: number): { canvas: unknown; context: CanvasRenderingContext2D };
      destroy(c: unknown): void;
    };
    const target = factory.create(width, height);
    try {
      target.context.fillStyle = '#ffffff';
      target.context.fillRect(0, 0, width, height);
      await page.render({ canvasContext: target.context, canvas: null, viewport }).promise;
      const pixels = target.context.getImageData(0, 0, width, height).data;
      yield await ocrImage(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), number, limits, {
        width,
        height,
        channels: 4,
      });
    } finally {
      factory.destroy(target);
      page.cleanup();
    }
  }
}
