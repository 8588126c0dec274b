/**
 * The parts of an XLSX workbook (Office Open XML, SpreadsheetML), written by hand so that a sheet can be
 * streamed row by row into the zip: a library that builds the workbook as objects holds every row
 * until the end. Strings are inline (no shared-strings table, which would also hold every distinct
 * string); each sheet is right-to-left for Persian readers, with its header row frozen and bold.
 */
import { fitCell, looksLikeFormula } from './rules.js';

/** A cell: text (kept as text even when it looks like a number), a number, or empty. */
export type Cell = string | number | null;

export interface ColumnHead {
  header: string;
  /** In characters of the default font, as Excel counts a column's width. */
  width: number;
}

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Style indexes in styles.xml's cellXfs. */
const STYLE = { header: 1, quoted: 2 } as const;

// XML 1.0 allows no control characters but tab and line breaks, and no lone surrogate.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(value: string): string {
  return value.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/**
 * A text cell that a spreadsheet would take for a formula once someone edits it gets Excel's own
 * "quote prefix" style (what typing '=x gives): the value stays exactly as typed and stays text.
 */
function cellXml(value: Cell, ref: string, style?: number): string {
  if (value === null || (typeof value === 'number' && !Number.isFinite(value))) return '';
  if (typeof value === 'number') return `<c r="${ref}"${style ? ` s="${style}"` : ''}><v>${value}</v></c>`;
  const s = style ?? (looksLikeFormula(value) ? STYLE.quoted : 0);
  return `<c r="${ref}" t="inlineStr"${s ? ` s="${s}"` : ''}><is><t xml:space="preserve">${xmlText(fitCell(value))}</t></is></c>`;
}

export function rowXml(cells: readonly Cell[], rowNumber: number, style?: number): string {
  return `<row r="${rowNumber}">${cells.map((c, i) => cellXml(c, `${columnName(i)}${rowNumber}`, style)).join('')}</row>`;
}

/** Everything before the data rows: the view (direction, frozen header), the widths, and the header row. */
export function sheetStart(columns: readonly ColumnHead[], options: { rightToLeft: boolean; selected: boolean }): string {
  const view =
    `<sheetView${options.rightToLeft ? ' rightToLeft="1"' : ''}${options.selected ? ' tabSelected="1"' : ''} workbookViewId="0">` +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>';
  // Never narrower than the header itself (two characters of margin): a cut header is a column nobody can name.
  const cols = columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${Math.max(c.width, [...c.header].length + 2)}" customWidth="1"/>`).join('');
  return (
    `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheetViews>${view}</sheetViews>` +
    `<sheetFormatPr defaultRowHeight="18"/><cols>${cols}</cols><sheetData>` +
    rowXml(
      columns.map((c) => c.header),
      1,
      STYLE.header,
    )
  );
}

export const SHEET_END = '</sheetData></worksheet>';

/** Excel refuses a sheet name over 31 characters or with any of : \ / ? * [ ]. */
export function sheetName(title: string): string {
  return [...title.replace(/[:\\/?*[\]]/g, ' ')].slice(0, 31).join('').trim() || 'Sheet';
}

/** The workbook's fixed parts for sheets 1..n with these titles, by their path in the zip. */
export function workbookParts(titles: readonly string[]): [string, string][] {
  const sheets = titles.map((_, i) => i + 1);
  const types =
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
    sheets.map((n) => `<Override PartName="/xl/worksheets/sheet${n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
    '</Types>';
  const rootRels =
    `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const workbook =
    `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews><sheets>` +
    titles.map((title, i) => `<sheet name="${xmlText(sheetName(title))}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    '</sheets></workbook>';
  const workbookRels =
    `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    sheets.map((n) => `<Relationship Id="rId${n}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${n}.xml"/>`).join('') +
    `<Relationship Id="rId${titles.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`;
  return [
    ['[Content_Types].xml', types],
    ['_rels/.rels', rootRels],
    ['xl/workbook.xml', workbook],
    ['xl/_rels/workbook.xml.rels', workbookRels],
    ['xl/styles.xml', STYLES],
  ];
}

export const sheetPath = (index: number) => `xl/worksheets/sheet${index + 1}.xml`;

// Tahoma: the font Persian office documents use, with every Persian letter on Windows and macOS.
const STYLES =
  `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
  '<fonts count="2"><font><sz val="11"/><name val="Tahoma"/></font><font><b/><sz val="11"/><name val="Tahoma"/></font></fonts>' +
  '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
  '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF6"/><bgColor indexed="64"/></patternFill></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';
