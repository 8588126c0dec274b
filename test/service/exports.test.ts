/**
 * The export use case on the embedded database: the files an admin takes away, opened with a real XLSX
 * reader and a CSV parser; what each role's file holds (a county admin's county only, phones for super
 * admins only, anonymous feedback anonymous and the province's alone); the audit row; refusals.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportLayout, type ExportFile } from '../../src/features/exports/index.js';
import { AppError } from '../../src/platform/errors.js';
import { readerFor } from '../../src/platform/i18n/format.js';
import { createTranslator } from '../../src/platform/i18n/index.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import {
  ANONYMOUS_TEXT,
  column,
  FORMULA_NGO,
  KERMAN_ADMIN,
  KERMAN_MANAGER,
  KERMAN_MEMBER,
  KERMAN_NGO,
  NAMED_TEXT,
  OFFICE_STAFF,
  PROVINCE,
  RAFSANJAN_ADMIN,
  RAFSANJAN_NGO,
  readCsv,
  readXlsx,
  seedOffice,
  STRANGER,
  SUPER,
  unzip,
} from '../support/export-fixtures.js';
import { createAdmin } from '../support/ngo-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const NOW = jalaliToDate({ jy: 1405, jm: 9, jd: 9 }, { hour: 10, minute: 30 });
const h = useServiceHarness({ start: NOW, staff: OFFICE_STAFF });
const fa = exportLayout(readerFor(createTranslator(), 'fa'));

async function makeSuperAdmin() {
  await createAdmin(h.db, SUPER, 'SUPER_ADMIN', { firstName: 'راهبر' });
}

/** Builds an export and reads the file's bytes; the temporary file is gone afterwards. */
async function exported(adminId: bigint, table: Parameters<typeof h.services.exports.build>[1], format: 'xlsx' | 'csv') {
  const file: ExportFile = await h.services.exports.build(adminId, table, format, fa);
  const bytes = await readFile(file.path);
  await file.dispose();
  expect(existsSync(file.path)).toBe(false);
  return { file, bytes };
}

const sheetByName = async (bytes: Buffer, name: string) => {
  const sheet = (await readXlsx(bytes)).find((s) => s.name === name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheet;
};

describe('an XLSX export', () => {
  it('when province staff export the NGOs, then the workbook has one right-to-left sheet with a frozen Persian header, Jalali dates and text kept as typed', async () => {
    await seedOffice(h.db, NOW);
    const { file, bytes } = await exported(PROVINCE, 'ngos', 'xlsx');
    expect(file.fileName).toBe('ngos-1405-09-09.xlsx');
    expect(file.sheets).toEqual([{ sheet: 'ngos', rows: 3 }]);

    const sheets = await readXlsx(bytes);
    expect(sheets.map((s) => s.name)).toEqual(['سازمان‌ها']);
    const [ngos] = sheets;
    expect(ngos!.rightToLeft).toBe(true);
    expect(ngos!.frozenRows).toBe(1);
    expect(ngos!.header.slice(0, 5)).toEqual(['شماره پیگیری', 'نام سازمان', 'شماره ثبت / مجوز', 'مرجع صدور مجوز', 'شهرستان']);
    expect(ngos!.widths.every((w) => w >= 8)).toBe(true);
    // Province staff are not super admins: no phone column at all.
    expect(ngos!.header).not.toContain('تلفن همراه مدیر');
    expect(column(ngos!, 'نام سازمان')).toEqual([KERMAN_NGO, RAFSANJAN_NGO, FORMULA_NGO]);
    expect(column(ngos!, 'شهرستان')).toEqual(['کرمان', 'رفسنجان', 'کرمان']);
    // A registration number is text: its leading zeros survive.
    expect(column(ngos!, 'شماره ثبت / مجوز')[0]).toBe('00123');
    expect(column(ngos!, 'وضعیت')).toEqual(['تأییدشده', 'تأییدشده', 'در انتظار بررسی']);
    // Registered 30 days before 1405/09/09: 1405/08/09, in Persian digits.
    expect(column(ngos!, 'تاریخ ثبت‌نام')[0]).toBe('۱۴۰۵/۰۸/۰۹');
    expect(column(ngos!, 'اعضای عضوشده در ربات')).toEqual([2, 1, 1]);
  });

  it('when a name looks like a formula, then the XLSX cell holds it exactly, as text with Excel\'s quote prefix', async () => {
    await seedOffice(h.db, NOW);
    const { bytes } = await exported(PROVINCE, 'ngos', 'xlsx');
    const xml = (await unzip(bytes)).get('xl/worksheets/sheet1.xml')!.toString('utf8');
    const formulaCell = /<c r="B4"[^>]*>/.exec(xml)?.[0];
    expect(formulaCell).toContain('t="inlineStr"');
    expect(formulaCell).toContain('s="2"');
    expect(xml).not.toContain('<f>');
    const styles = (await unzip(bytes)).get('xl/styles.xml')!.toString('utf8');
    expect(styles).toContain('quotePrefix="1"');
  });

  it('when a super admin exports the members, then managers have their mobile number as text and other members none', async () => {
    await seedOffice(h.db, NOW);
    await makeSuperAdmin();
    const members = await sheetByName((await exported(SUPER, 'members', 'xlsx')).bytes, 'اعضا');
    const ids = column(members, 'شناسه کاربری');
    const phones = column(members, 'تلفن همراه');
    expect(phones[ids.indexOf(String(KERMAN_MANAGER))]).toBe('09121234567');
    expect(phones[ids.indexOf(String(KERMAN_MEMBER))]).toBeNull();
    expect(column(members, 'نقش')[ids.indexOf(String(KERMAN_MANAGER))]).toBe('مدیر سازمان');
  });

  it('when a county admin exports everything, then every sheet holds only their county\'s rows, without phones or anonymous feedback', async () => {
    const seeded = await seedOffice(h.db, NOW);
    const { file, bytes } = await exported(KERMAN_ADMIN, 'all', 'xlsx');
    expect(file.county).toBe('کرمان');
    expect(file.phones).toBe(false);
    const sheets = await readXlsx(bytes);
    const byName = Object.fromEntries(sheets.map((s) => [s.name, s]));
    expect(sheets.map((s) => s.name)).toEqual(['سازمان‌ها', 'اعضا', 'دوره‌ها', 'ثبت‌نام دوره‌ها', 'نیازهای آموزشی', 'پیام‌های سازمان‌ها', 'مهلت‌ها', 'گزارش سازمان‌ها', 'اطلاعیه‌ها']);
    expect(sheets.every((s) => s.rightToLeft && s.frozenRows === 1)).toBe(true);

    expect(column(byName['سازمان‌ها']!, 'نام سازمان')).toEqual([KERMAN_NGO, FORMULA_NGO]);
    expect(byName['اعضا']!.header).not.toContain('تلفن همراه');
    expect(new Set(column(byName['اعضا']!, 'شهرستان'))).toEqual(new Set(['کرمان']));
    expect(column(byName['دوره‌ها']!, 'شماره دوره')).toEqual([seeded.kermanCourse]);
    expect(column(byName['دوره‌ها']!, 'نفرات ثبت‌نام‌شده')).toEqual([2]);
    expect(column(byName['دوره‌ها']!, 'میانگین امتیاز')).toEqual([4]);
    expect(column(byName['ثبت‌نام دوره‌ها']!, 'سازمان')).toEqual([KERMAN_NGO, KERMAN_NGO]);
    expect(column(byName['نیازهای آموزشی']!, 'سازمان')).toEqual([KERMAN_NGO]);
    expect(column(byName['پیام‌های سازمان‌ها']!, 'متن')).toEqual([NAMED_TEXT]);
    // The deadline's counts are over Kerman's NGOs only (Kerman's and the formula-named one).
    expect(column(byName['مهلت‌ها']!, 'سازمان‌های مشمول')).toEqual([2]);
    expect(column(byName['مهلت‌ها']!, 'گزارش پذیرفته‌شده')).toEqual([1]);
    const reports = byName['گزارش سازمان‌ها']!;
    expect(column(reports, 'سازمان')).toEqual([KERMAN_NGO, FORMULA_NGO]);
    expect(column(reports, 'به‌موقع بودن')).toEqual(['به‌موقع', 'هنوز در مهلت']);
    expect(column(byName['اطلاعیه‌ها']!, 'رسیده')).toEqual([2]);
    expect(column(byName['اطلاعیه‌ها']!, 'در دسترس نبودند')).toEqual([1]);

    const rafsanjan = await readXlsx((await exported(RAFSANJAN_ADMIN, 'all', 'xlsx')).bytes);
    const counts = Object.fromEntries(rafsanjan.map((s) => [s.name, s.rows.length]));
    expect(counts).toEqual({
      'سازمان‌ها': 1,
      اعضا: 1,
      'دوره‌ها': 0,
      'ثبت‌نام دوره‌ها': 1,
      'نیازهای آموزشی': 1,
      'پیام‌های سازمان‌ها': 0,
      'مهلت‌ها': 1,
      'گزارش سازمان‌ها': 1,
      'اطلاعیه‌ها': 0,
    });
  });

  it('when province staff export feedback, then the anonymous complaint has no sender, NGO or county', async () => {
    await seedOffice(h.db, NOW);
    const feedback = await sheetByName((await exported(PROVINCE, 'feedback', 'xlsx')).bytes, 'پیام‌های سازمان‌ها');
    const texts = column(feedback, 'متن');
    const anonymous = texts.indexOf(ANONYMOUS_TEXT);
    const named = texts.indexOf(NAMED_TEXT);
    expect(column(feedback, 'فرستنده')[anonymous]).toBe('ناشناس');
    expect(column(feedback, 'سازمان')[anonymous]).toBeNull();
    expect(column(feedback, 'شهرستان')[anonymous]).toBeNull();
    expect(column(feedback, 'فرستنده')[named]).toBe('زهرا');
    expect(column(feedback, 'سازمان')[named]).toBe(KERMAN_NGO);
    // Answered a day after it came: 1405/09/10 10:30 Tehran time.
    expect(column(feedback, 'زمان نخستین پاسخ')[named]).toBe('۱۴۰۵/۰۹/۱۰ ۱۰:۳۰');
  });

  it('when a table is larger than a page, then every row is written once, in order', async () => {
    await seedOffice(h.db, NOW);
    const county = (await h.prisma.county.findFirstOrThrow({ where: { name: 'کرمان' } })).id;
    await h.prisma.$executeRawUnsafe(
      `INSERT INTO ngos (name, registration_number, authority, authority_key, county_id, manager_name, manager_phone, status, updated_at)
       SELECT 'سمن ' || g, 'R' || g, 'WELFARE', 'WELFARE', $1, 'مدیر', '+989121234567', 'APPROVED', now() FROM generate_series(1, 2100) g`,
      county,
    );
    const { file, bytes } = await exported(KERMAN_ADMIN, 'ngos', 'xlsx');
    expect(file.sheets[0]!.rows).toBe(2102);
    const ids = column((await readXlsx(bytes))[0]!, 'شماره پیگیری') as number[];
    expect(ids).toHaveLength(2102);
    expect(new Set(ids).size).toBe(2102);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });
});

describe('a CSV export', () => {
  it('when one kind of record is asked for, then it is one UTF-8 file with a byte order mark, Persian headers and formulas neutralised', async () => {
    await seedOffice(h.db, NOW);
    const { file, bytes } = await exported(PROVINCE, 'ngos', 'csv');
    expect(file.fileName).toBe('ngos-1405-09-09.csv');
    const csv = readCsv(bytes);
    expect(csv.bom).toBe(true);
    expect(csv.header[1]).toBe('نام سازمان');
    const names = column(csv, 'نام سازمان');
    expect(names).toEqual([KERMAN_NGO, RAFSANJAN_NGO, `'${FORMULA_NGO}`]);
    expect(column(csv, 'شماره ثبت / مجوز')[0]).toBe('00123');
  });

  it('when a table has two kinds of record, then the file is a zip of one CSV each', async () => {
    await seedOffice(h.db, NOW);
    const { file, bytes } = await exported(PROVINCE, 'courses', 'csv');
    expect(file.fileName).toBe('courses-1405-09-09.zip');
    const entries = await unzip(bytes);
    expect([...entries.keys()]).toEqual(['courses-1405-09-09.csv', 'rosters-1405-09-09.csv']);
    const courses = readCsv(entries.get('courses-1405-09-09.csv')!);
    const rosters = readCsv(entries.get('rosters-1405-09-09.csv')!);
    expect(courses.bom && rosters.bom).toBe(true);
    expect(courses.rows).toHaveLength(2);
    expect(column(rosters, 'وضعیت ثبت‌نام')).toEqual(['ثبت‌نام‌شده', 'ثبت‌نام‌شده', 'در فهرست انتظار']);
  });
});

describe('who may export', () => {
  it('when an export is made, then one audit row says who exported what and how many rows, and nothing of the data', async () => {
    await seedOffice(h.db, NOW);
    await exported(KERMAN_ADMIN, 'deadlines', 'csv');
    const rows = await h.prisma.auditLog.findMany({ where: { action: 'export.created' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorId).toBe(KERMAN_ADMIN);
    expect(rows[0]!.entityId).toBe('deadlines');
    expect(rows[0]!.details).toEqual({ format: 'csv', rows: { deadlines: 1, reports: 2 }, counties: [expect.any(Number)], phones: false });
    expect(JSON.stringify(rows[0]!.details)).not.toContain('گزارش');
  });

  it('when a member or a stranger asks, then they are refused, and no file or audit row is made', async () => {
    await seedOffice(h.db, NOW);
    for (const userId of [KERMAN_MANAGER, STRANGER]) {
      const err = await h.services.exports.build(userId, 'ngos', 'xlsx', fa).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('common.errors.not_admin');
    }
    expect(await h.prisma.auditLog.count({ where: { action: 'export.created' } })).toBe(0);
  });

  it('when two exports are asked for at once, then one is built and the other is told to wait', async () => {
    await seedOffice(h.db, NOW);
    const results = await Promise.allSettled([h.services.exports.build(PROVINCE, 'all', 'xlsx', fa), h.services.exports.build(KERMAN_ADMIN, 'all', 'xlsx', fa)]);
    const built = results.filter((r): r is PromiseFulfilledResult<ExportFile> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(built).toHaveLength(1);
    expect((refused[0]!.reason as AppError).code).toBe('exports.errors.busy');
    await built[0]!.value.dispose();
    // Once it is done, the next one is built.
    await (await h.services.exports.build(KERMAN_ADMIN, 'ngos', 'xlsx', fa)).dispose();
  });
});
