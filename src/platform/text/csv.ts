/**
 * CSV as every file of the bot writes it (exports, a course's roster, the undelivered list of an
 * announcement): so that a name typed as "=HYPERLINK(...)" is as harmless in one file as in another,
 * and every file opens the same way in Excel and LibreOffice.
 */

/** What a cell may hold: a number is written bare (a spreadsheet reads it as a number), nothing as an empty cell. */
export type CsvValue = string | number | null | undefined;

/** Excel reads a CSV file as UTF-8 only when it starts with a byte order mark. */
export const CSV_BOM = '\uFEFF';

/**
 * A text that a spreadsheet would run as a formula when it starts with one of these (CSV injection:
 * "=HYPERLINK(...)" typed as an NGO's name). A tab or carriage return first hides the sign from a
 * reader's eye, and some programs strip it.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/**
 * CSV has no types: a leading apostrophe is the one mark Excel and LibreOffice read as "text, not a
 * formula". Only such values are changed; everything else is kept exactly as typed.
 */
export function neutraliseForCsv(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}

/** Every text is quoted, so a comma, quote or line break inside it stays inside the cell. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return `"${neutraliseForCsv(value).replace(/"/g, '""')}"`;
}

/** One row, ended with CRLF as RFC 4180 and Excel expect. */
export const csvLine = (cells: readonly CsvValue[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** A whole small file (one read into memory): the byte order mark, the header row, then the rows. */
export function csvDocument(header: readonly string[], rows: Iterable<readonly CsvValue[]>): Buffer {
  let text = CSV_BOM + csvLine(header);
  for (const row of rows) text += csvLine(row);
  return Buffer.from(text, 'utf8');
}
