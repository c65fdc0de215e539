/**
 * Text that came from outside (a file's name, what an invoice says, an error quoting either) and
 * is shown to a person: on a terminal, a control character is a command (ESC starts a sequence
 * that can rewrite the screen or the title), and bidi and invisible format characters make a name
 * read differently from what it is (`facture‮fdp.exe`).
 */

// C0 and C1 controls, save tab and line feed.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidi embeddings, overrides and isolates, marks, zero-width and other invisible format characters (Unicode Cf).
const FORMAT = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/** `text` without control characters (tab and line feed kept) and without bidi/format characters. */
export function printable(text: string): string {
  return text.replace(CONTROLS, '').replace(FORMAT, '');
}

/** `printable`, on one line: line breaks and tabs become spaces (a file name, a stored error). */
export function printableLine(text: string): string {
  return printable(text).replace(/[\t\n]/g, ' ');
}
