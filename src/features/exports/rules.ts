/**
 * The rules of the office's exports: which tables an admin can take away, which sheets each holds, in
 * which formats, under what file name, and how a cell is made safe for a spreadsheet. Pure: no
 * telegraf, prisma or text.
 */
import type { AdminRole } from '../../platform/db/generated/enums.js';
import { toJalali } from '../../platform/text/jalali.js';

/** One sheet of a workbook, or one CSV file: one kind of record. */
export const SHEETS = ['ngos', 'members', 'courses', 'rosters', 'needs', 'feedback', 'deadlines', 'reports', 'broadcasts'] as const;
export type SheetCode = (typeof SHEETS)[number];

/**
 * What the menu offers: a table is what an office asks for ("the courses"), and some tables are two
 * kinds of record (a course and its roster, a deadline and each NGO's report), so two sheets.
 */
export const TABLES = {
  ngos: ['ngos'],
  members: ['members'],
  courses: ['courses', 'rosters'],
  needs: ['needs'],
  feedback: ['feedback'],
  deadlines: ['deadlines', 'reports'],
  broadcasts: ['broadcasts'],
  all: SHEETS,
} as const satisfies Record<string, readonly SheetCode[]>;
export type TableCode = keyof typeof TABLES;
export const TABLE_CODES = Object.keys(TABLES) as TableCode[];

export const FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export function isTableCode(value: unknown): value is TableCode {
  return typeof value === 'string' && Object.hasOwn(TABLES, value);
}

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (FORMATS as readonly string[]).includes(value);
}

export function sheetsOf(table: TableCode): readonly SheetCode[] {
  return TABLES[table];
}

/** Phone numbers are personal data the province's top administrators hold; other staff get no phone column. */
export function showsPhones(role: AdminRole): boolean {
  return role === 'SUPER_ADMIN';
}

/** '1405-09-09': the Tehran day of the export, in Latin digits and dashes, safe in any file system and client. */
export function fileDate(at: Date): string {
  const { jy, jm, jd } = toJalali(at);
  return `${jy}-${String(jm).padStart(2, '0')}-${String(jd).padStart(2, '0')}`;
}

/**
 * The file the admin receives. XLSX: one workbook, a sheet per kind of record. CSV: one file when the
 * table is one kind of record, else a zip with a CSV per kind (CSV has no sheets).
 */
export function exportFileName(table: TableCode, format: ExportFormat, at: Date): string {
  const extension = format === 'xlsx' ? 'xlsx' : sheetsOf(table).length === 1 ? 'csv' : 'zip';
  return `${table}-${fileDate(at)}.${extension}`;
}

export function csvEntryName(sheet: SheetCode, at: Date): string {
  return `${sheet}-${fileDate(at)}.csv`;
}

// Formula neutralising is shared with every CSV of the bot; XLSX cells use the same test.
export { looksLikeFormula, neutraliseForCsv } from '../../platform/text/csv.js';

/** Excel keeps a text cell to 32,767 characters; a longer one makes the file "need repair". */
export const MAX_CELL_CHARS = 32_767;

export function fitCell(text: string): string {
  return text.length <= MAX_CELL_CHARS ? text : `${text.slice(0, MAX_CELL_CHARS - 1)}…`;
}

/** A report against its due date: sent in time, sent late, still owed after the date, or still owed before it. */
export type Timeliness = 'ON_TIME' | 'LATE' | 'OVERDUE' | 'OPEN';

export function reportTimeliness(submittedAt: Date | null, dueAt: Date, now: Date): Timeliness {
  if (submittedAt) return submittedAt.getTime() <= dueAt.getTime() ? 'ON_TIME' : 'LATE';
  return now.getTime() > dueAt.getTime() ? 'OVERDUE' : 'OPEN';
}

/** Rows read from the database per statement: a page is written out before the next is read. */
export const PAGE_SIZE = 1000;
