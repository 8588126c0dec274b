/** The export rules: file names, formula neutralising, timeliness, and the XLSX and CSV cells as written. */
import { describe, expect, it } from 'vitest';
import { exportFileName, fitCell, MAX_CELL_CHARS, neutraliseForCsv, reportTimeliness } from '../../src/features/exports/rules.js';
import { columnName, rowXml, sheetName, sheetStart, xmlText } from '../../src/features/exports/xlsx.js';
import { csvLine } from '../../src/platform/text/csv.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';

const AZAR_9 = jalaliToDate({ jy: 1405, jm: 9, jd: 9 }, { hour: 23, minute: 50 });

describe('export file names', () => {
  it('when a file is named, then it is Latin-safe with the Tehran Jalali day, and a CSV of several tables is a zip', () => {
    expect(exportFileName('ngos', 'xlsx', AZAR_9)).toBe('ngos-1405-09-09.xlsx');
    expect(exportFileName('members', 'csv', AZAR_9)).toBe('members-1405-09-09.csv');
    expect(exportFileName('deadlines', 'csv', AZAR_9)).toBe('deadlines-1405-09-09.zip');
    expect(exportFileName('all', 'xlsx', AZAR_9)).toBe('all-1405-09-09.xlsx');
  });
});

describe('formula neutralising', () => {
  it.each(['=1+2', '+98912', '-2', '@SUM(A1)', '\t=1', '\r=1'])('when a CSV text starts like a formula (%j), then an apostrophe goes before it', (value) => {
    expect(neutraliseForCsv(value)).toBe(`'${value}`);
  });

  it('when a CSV text does not start like a formula, then it is kept exactly as typed', () => {
    for (const value of ['انجمن =برابری', 'a-b', '۰۹۱۲', ' =x', '']) expect(neutraliseForCsv(value)).toBe(value);
  });

  it('when a CSV line is written, then text is quoted with quotes doubled, numbers bare and empty cells empty', () => {
    expect(csvLine(['سمن "امید"، کرمان', 12, null, '=A1'])).toBe('"سمن ""امید""، کرمان",12,,"\'=A1"\r\n');
  });

  it('when an XLSX text cell starts like a formula, then it keeps its text and takes the quote-prefix style', () => {
    expect(rowXml(['=A1', 'سمن', 7, null], 2)).toBe(
      '<row r="2"><c r="A2" t="inlineStr" s="2"><is><t xml:space="preserve">=A1</t></is></c>' +
        '<c r="B2" t="inlineStr"><is><t xml:space="preserve">سمن</t></is></c><c r="C2"><v>7</v></c></row>',
    );
  });
});

describe('XLSX parts', () => {
  it('when text has XML specials or control characters, then they are escaped or dropped', () => {
    expect(xmlText('a<b>&"c"\u0001\u200c')).toBe('a&lt;b&gt;&amp;&quot;c&quot;\u200c');
    expect(xmlText('\uD83D\uDE00 \uD83D')).toBe('\uD83D\uDE00 ');
  });

  it('when columns are numbered, then they are lettered as Excel letters them', () => {
    expect([0, 25, 26, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('when a sheet starts, then it is right to left with the header frozen and the widths set', () => {
    const xml = sheetStart([{ header: 'نام', width: 30 }], { rightToLeft: true, selected: true });
    expect(xml).toContain('<sheetView rightToLeft="1" tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    expect(xml).toContain('<col min="1" max="1" width="30" customWidth="1"/>');
    // A header longer than its column's set width widens the column instead of being cut.
    expect(sheetStart([{ header: 'سازمان‌های ثبت‌نام‌شده', width: 12 }], { rightToLeft: true, selected: true })).toContain('<col min="1" max="1" width="24" customWidth="1"/>');
    expect(xml).toContain('<c r="A1" t="inlineStr" s="1">');
  });

  it('when a title has characters Excel refuses in sheet names or is too long, then the name is cleaned and cut to 31', () => {
    expect(sheetName('گزارش/سازمان‌ها [۱]')).toBe('گزارش سازمان‌ها  ۱');
    expect([...sheetName('ث'.repeat(40))]).toHaveLength(31);
  });

  it('when a text is longer than a cell can hold, then it is cut to the limit', () => {
    expect(fitCell('x'.repeat(MAX_CELL_CHARS + 5))).toHaveLength(MAX_CELL_CHARS);
    expect(fitCell('کوتاه')).toBe('کوتاه');
  });
});

describe('report timeliness', () => {
  const due = new Date('2026-12-01T08:30:00Z');
  it('when a report came by the due time, then it is on time; after it, late; none yet, open or overdue', () => {
    expect(reportTimeliness(due, due, due)).toBe('ON_TIME');
    expect(reportTimeliness(new Date(due.getTime() + 1), due, due)).toBe('LATE');
    expect(reportTimeliness(null, due, due)).toBe('OPEN');
    expect(reportTimeliness(null, due, new Date(due.getTime() + 1))).toBe('OVERDUE');
  });
});
