/**
 * Writing an export to a file as its rows come: a page of rows is turned into bytes, handed to the
 * file (through the zip's deflate for XLSX and zipped CSV), and let go before the next page is read,
 * waiting whenever the disk is behind. Memory stays at about one page whatever the size of the table.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { CSV_BOM, csvLine } from '../../platform/text/csv.js';
import { rowXml, SHEET_END, sheetPath, sheetStart, workbookParts, type Cell, type ColumnHead } from './xlsx.js';

/** One sheet to write: its title (the XLSX tab), its file name inside a zip of CSVs, its columns and its rows, page by page. */
export interface SheetOut {
  title: string;
  entryName: string;
  columns: readonly ColumnHead[];
  pages: AsyncIterable<Cell[][]>;
}

export interface FileOptions {
  format: 'xlsx' | 'csv';
  /** Sheets read right to left (Persian). */
  rightToLeft: boolean;
}

async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/** Writes one sheet's rows into `out` (which it does not end); returns how many data rows there were. */
async function writeSheetRows(out: Writable, sheet: SheetOut, line: (cells: readonly Cell[], rowNumber: number) => string): Promise<number> {
  let rows = 0;
  for await (const page of sheet.pages) {
    let chunk = '';
    for (const cells of page) chunk += line(cells, ++rows + 1);
    if (chunk) await write(out, chunk);
  }
  return rows;
}

async function writeCsv(out: Writable, sheet: SheetOut): Promise<number> {
  await write(out, CSV_BOM + csvLine(sheet.columns.map((c) => c.header)));
  return writeSheetRows(out, sheet, csvLine);
}

async function writeXlsxSheet(out: Writable, sheet: SheetOut, options: { rightToLeft: boolean; selected: boolean }): Promise<number> {
  await write(out, sheetStart(sheet.columns, options));
  const rows = await writeSheetRows(out, sheet, rowXml);
  await write(out, SHEET_END);
  return rows;
}

/**
 * A zip written to `path` entry by entry: each entry is a stream the caller fills and ends before the
 * next one starts (yazl reads entries in the order they were added).
 */
async function writeZip(path: string, fill: (entry: (name: string) => PassThrough, zip: yazl.ZipFile) => Promise<void>): Promise<void> {
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream, createWriteStream(path));
  // Its failure is thrown by the race below or by the last await; this keeps it from going unhandled meanwhile.
  done.catch(() => {});
  const entry = (name: string) => {
    const stream = new PassThrough();
    zip.addReadStream(stream, name);
    return stream;
  };
  try {
    // A file that fails (the disk full) stops reading the zip, and a write waiting for it would wait forever.
    await Promise.race([fill(entry, zip), done]);
  } catch (err) {
    (zip.outputStream as Readable).destroy(err as Error);
    throw err;
  }
  zip.end();
  await done;
}

async function fillEntry(stream: PassThrough, work: (out: PassThrough) => Promise<number>): Promise<number> {
  const rows = await work(stream);
  stream.end();
  return rows;
}

/** Writes the export to `path`; returns the number of data rows of each sheet, in order. */
export async function writeExportFile(path: string, sheets: readonly SheetOut[], options: FileOptions): Promise<number[]> {
  const counts: number[] = [];
  if (options.format === 'csv' && sheets.length === 1) {
    const out = createWriteStream(path);
    const done = finished(out);
    // A disk error while a page is being read is thrown by the next write or by the await below.
    done.catch(() => {});
    try {
      counts.push(await writeCsv(out, sheets[0]!));
    } catch (err) {
      out.destroy();
      throw err;
    }
    out.end();
    await done;
    return counts;
  }
  await writeZip(path, async (entry, zip) => {
    if (options.format === 'csv') {
      for (const sheet of sheets) counts.push(await fillEntry(entry(sheet.entryName), (out) => writeCsv(out, sheet)));
      return;
    }
    for (const [name, content] of workbookParts(sheets.map((s) => s.title))) zip.addBuffer(Buffer.from(content, 'utf8'), name);
    for (const [i, sheet] of sheets.entries()) {
      counts.push(await fillEntry(entry(sheetPath(i)), (out) => writeXlsxSheet(out, sheet, { rightToLeft: options.rightToLeft, selected: i === 0 })));
    }
  });
  return counts;
}
