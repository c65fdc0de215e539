// Images of PDF pages, as a scanner or a phone would deliver them: rendered by pdfjs on
// @napi-rs/canvas at a chosen resolution, then optionally degraded (grey, a slight tilt, blur,
// JPEG) or turned a quarter/half turn. Used by the OCR tests and the accuracy benchmark.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';

// Node has no FontFace: glyphs are drawn as paths (disableFontFace), and the 14 standard fonts a
// PDF may use without embedding them come from pdfjs-dist's own folder.
const STANDARD_FONTS = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

export interface PageImageOptions {
  readonly dpi: number;
  /** 200 dpi grey, tilted by this many degrees, blurred, saved as a 70 % JPEG. */
  readonly degrade?: { readonly tiltDegrees: number };
  /** Turn the image by a multiple of 90 degrees, as a page fed in sideways. */
  readonly turn?: 0 | 90 | 180 | 270;
  readonly page?: number;
}

export async function pageImage(pdf: Uint8Array, options: PageImageOptions): Promise<Uint8Array> {
  const task = getDocument({ data: pdf.slice(), verbosity: 0, disableFontFace: true, standardFontDataUrl: STANDARD_FONTS });
  try {
    const document = await task.promise;
    const page = await document.getPage(options.page ?? 1);
    const viewport = page.getViewport({ scale: options.dpi / 72 });
    const width = Math.ceil(viewport.width);
    const height = Math.ceil(viewport.height);
    const factory = document.canvasFactory as { create(w: number, h: number): { canvas: unknown; context: CanvasRenderingContext2D } };
    const { context } = factory.create(width, height);
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    await page.render({ canvasContext: context, canvas: null, viewport }).promise;
    const pixels = context.getImageData(0, 0, width, height).data;
    let image = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 4 } });
    if (options.degrade) {
      image = sharp(await image.greyscale().rotate(options.degrade.tiltDegrees, { background: '#ffffff' }).blur(0.8).png().toBuffer());
    }
    if (options.turn) image = sharp(await image.rotate(options.turn).png().toBuffer());
    return new Uint8Array(options.degrade ? await image.jpeg({ quality: 70 }).toBuffer() : await image.png().toBuffer());
  } finally {
    await task.destroy();
  }
}
