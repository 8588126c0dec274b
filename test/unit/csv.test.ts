/**
 * Why: every CSV the bot hands staff (exports, a course's roster, the undelivered list of an
 * announcement) is opened in Excel or LibreOffice; a cell that breaks out of its quotes shifts every
 * column after it, a name typed as a formula runs on the admin's computer, and a file without its byte
 * order mark shows Persian as mojibake. Files are read back with a real CSV parser, not by eye.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument, csvLine, looksLikeFormula, neutraliseForCsv } from '../../src/platform/text/csv.js';

const ZWNJ = '\u200C';

/** The records of a file, as a spreadsheet would split them. */
const records = (bytes: Buffer) => parse(bytes.toString('utf8'), { bom: true }) as string[][];

describe('a CSV cell', () => {
  it('when a text holds quotes, commas and line breaks, then it is quoted with its quotes doubled and reads back whole', () => {
    const typed = 'سمن "امید"، کرمان, شعبه ۲\r\nخط دوم\nخط سوم';
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(records(csvDocument(['نام', 'بعدی'], [[typed, 'x']]))).toEqual([
      ['نام', 'بعدی'],
      [typed, 'x'],
    ]);
  });

  it.each(['=HYPERLINK("http://x","y")', '+98912', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])(
    'when a text starts like a formula (%j), then an apostrophe goes before it and the rest is kept',
    (value) => {
      expect(looksLikeFormula(value)).toBe(true);
      expect(csvCell(value)).toBe(`"'${value.replace(/"/g, '""')}"`);
      expect(records(csvDocument(['h'], [[value]]))[1]).toEqual([`'${value}`]);
    },
  );

  it('when a text only holds a formula sign later, or is Persian, then it is kept exactly as typed', () => {
    const persian = `انجمن حمایت از کودکان کار${ZWNJ}ها — ۰۹۱۲ ۱۲۳ ۴۵۶۷ علي كرمان`;
    for (const value of [persian, 'انجمن =برابری', 'a-b', ' =x', '۰۹۱۲', '0912 123 4567', '']) {
      expect(neutraliseForCsv(value)).toBe(value);
      expect(csvCell(value)).toBe(`"${value}"`);
    }
  });

  it('when a cell is a number or nothing, then a number is bare and nothing is an empty cell', () => {
    expect(csvLine([12, -2, 0, null, undefined, Number.NaN, Number.POSITIVE_INFINITY, ''])).toBe('12,-2,0,,,,,""\r\n');
  });
});

describe('a CSV file', () => {
  it('when a file is written, then it starts with the byte order mark and every line, the last too, ends with CRLF', () => {
    const text = csvDocument(['سازمان', 'تعداد'], [['سمن الف', 2], ['=1+1', null]]).toString('utf8');
    expect(text).toBe('\uFEFF"سازمان","تعداد"\r\n"سمن الف",2\r\n"\'=1+1",\r\n');
  });

  it('when a file has no rows, then it is the mark and the header alone', () => {
    const bytes = csvDocument(['a', 'b'], []);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe('\uFEFF"a","b"\r\n');
  });

  it('when a header looks like a formula, then it is neutralised like any other cell', () => {
    expect(csvLine(['=cmd', 'نام'])).toBe('"\'=cmd","نام"\r\n');
  });
});
