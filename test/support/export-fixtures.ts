/**
 * For the export tests: a small office whose every table has rows in two counties (Kerman and
 * Rafsanjan), an anonymous complaint, a name that looks like a formula; and readers of what an admin
 * receives: the XLSX workbook through exceljs (a real spreadsheet reader), CSV through csv-parse, and
 * the entries of a zip through yauzl.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import yauzl from 'yauzl';
import type { PrismaClient } from '../../src/platform/db/client.js';
import { countyId, createNgo, createUser } from './ngo-fixtures.js';

type Db = { prisma: PrismaClient };

export const SUPER = 1001n;
export const PROVINCE = 1002n;
export const KERMAN_ADMIN = 3003n;
export const RAFSANJAN_ADMIN = 3004n;
export const KERMAN_MANAGER = 2001n;
export const KERMAN_MEMBER = 2011n;
export const RAFSANJAN_MANAGER = 2002n;
export const FORMULA_MANAGER = 2003n;
export const STRANGER = 4004n;

export const KERMAN_NGO = 'انجمن حامیان محیط زیست کرمان';
export const RAFSANJAN_NGO = 'کانون جوانان رفسنجان';
/** Typed as a name at registration; a spreadsheet must show it, not run it. */
export const FORMULA_NGO = '=HYPERLINK("http://x.test","سمن")';
export const ANONYMOUS_TEXT = 'شکایت از رفتار کارمند فرمانداری';
export const NAMED_TEXT = 'پیشنهاد برگزاری جلسات هم‌اندیشی';

export const OFFICE_STAFF = [
  { id: PROVINCE, role: 'PROVINCE_ADMIN' as const, firstName: 'رضا' },
  { id: KERMAN_ADMIN, role: 'COUNTY_ADMIN' as const, countyName: 'کرمان', firstName: 'علی' },
  { id: RAFSANJAN_ADMIN, role: 'COUNTY_ADMIN' as const, countyName: 'رفسنجان', firstName: 'حسن' },
];

export interface SeededOffice {
  kerman: number;
  rafsanjan: number;
  formula: number;
  kermanCourse: number;
  provinceCourse: number;
  deadline: number;
  broadcast: number;
}

/**
 * Two NGOs in Kerman (one named like a formula) and one in Rafsanjan, with members; a course for
 * Kerman alone and one for the province, both NGOs enrolled; a need each; a named suggestion from
 * Kerman and an anonymous complaint from Kerman; a reporting deadline for all three, Kerman's report
 * accepted on time; an announcement to Kerman delivered to two members and unreachable for one.
 */
export async function seedOffice(db: Db, at: Date): Promise<SeededOffice> {
  const p = db.prisma;
  const day = 86_400_000;
  const kerman = await createNgo(db, {
    managerId: KERMAN_MANAGER,
    name: KERMAN_NGO,
    status: 'APPROVED',
    registrationNumber: '00123',
    managerFirstName: 'زهرا',
    members: [{ id: KERMAN_MEMBER, firstName: 'مریم' }],
    submittedAt: new Date(at.getTime() - 30 * day),
  });
  const rafsanjan = await createNgo(db, { managerId: RAFSANJAN_MANAGER, name: RAFSANJAN_NGO, countyName: 'رفسنجان', status: 'APPROVED' });
  const formula = await createNgo(db, { managerId: FORMULA_MANAGER, name: FORMULA_NGO, status: 'PENDING' });
  await createUser(db, STRANGER);
  const kermanCounty = await countyId(db, 'کرمان');

  const course = (title: string, countyIds: number[]) =>
    p.course.create({
      data: {
        title,
        startsAt: new Date(at.getTime() + 7 * day),
        durationMinutes: 90,
        format: 'IN_PERSON',
        place: 'دفتر تسهیلگری باهنر',
        capacity: 10,
        perNgoLimit: 3,
        registrationDeadline: new Date(at.getTime() + 6 * day),
        eligibility: { countyIds, fieldIds: [] },
        createdBy: PROVINCE,
      },
    });
  const kermanCourse = await course('کارگاه نگارش طرح کرمان', [kermanCounty]);
  const provinceCourse = await course('دوره مدیریت داوطلبان استان', []);
  const enrol = (courseId: number, ngoId: number, participants: number, status: 'ENROLLED' | 'WAITLISTED', createdBy: bigint) =>
    p.enrollment.create({ data: { courseId, ngoId, participants, status, createdBy, waitlistedAt: status === 'WAITLISTED' ? at : null } });
  await enrol(kermanCourse.id, kerman.id, 2, 'ENROLLED', KERMAN_MANAGER);
  await enrol(provinceCourse.id, kerman.id, 1, 'ENROLLED', KERMAN_MANAGER);
  await enrol(provinceCourse.id, rafsanjan.id, 3, 'WAITLISTED', RAFSANJAN_MANAGER);
  await p.courseRating.create({ data: { courseId: kermanCourse.id, userId: KERMAN_MANAGER, ngoId: kerman.id, score: 4 } });

  for (const [ngoId, createdBy] of [
    [kerman.id, KERMAN_MANAGER],
    [rafsanjan.id, RAFSANJAN_MANAGER],
  ] as const) {
    await p.trainingNeed.create({ data: { ngoId, otherTopic: 'جذب منابع مالی', description: 'آموزش نوشتن طرح برای جذب حمایت', participants: 4, format: 'ONLINE', createdBy } });
  }

  const named = await p.feedbackItem.create({ data: { type: 'SUGGESTION', userId: KERMAN_MANAGER, ngoId: kerman.id, createdAt: at } });
  await p.feedbackMessage.create({ data: { itemId: named.id, authorId: KERMAN_MANAGER, fromOffice: false, text: NAMED_TEXT, createdAt: at } });
  await p.feedbackMessage.create({ data: { itemId: named.id, authorId: PROVINCE, fromOffice: true, text: 'سپاس از پیشنهاد شما', createdAt: new Date(at.getTime() + day) } });
  const anonymous = await p.feedbackItem.create({ data: { type: 'COMPLAINT', userId: KERMAN_MEMBER, ngoId: kerman.id, anonymous: true, createdAt: at } });
  await p.feedbackMessage.create({ data: { itemId: anonymous.id, authorId: KERMAN_MEMBER, fromOffice: false, text: ANONYMOUS_TEXT, createdAt: at } });

  const due = new Date(at.getTime() + 10 * day);
  const deadline = await p.deadline.create({
    data: { kind: 'GENERAL', title: 'گزارش عملکرد پاییز', dueAt: due, reminderDays: [1], audience: { countyIds: [], fieldIds: [] }, createdBy: PROVINCE },
  });
  await p.deadlineTarget.create({
    data: { deadlineId: deadline.id, ngoId: kerman.id, status: 'ACCEPTED', reportText: 'انجام شد', submittedBy: KERMAN_MANAGER, submittedAt: at, acceptedBy: PROVINCE, acceptedAt: at },
  });
  await p.deadlineTarget.create({ data: { deadlineId: deadline.id, ngoId: rafsanjan.id } });
  await p.deadlineTarget.create({ data: { deadlineId: deadline.id, ngoId: formula.id } });

  const message = await p.outboxMessage.create({ data: { kind: 'COPY', payload: {}, sourceType: 'broadcast', createdBy: PROVINCE } });
  await p.outboxDelivery.createMany({
    data: [
      { messageId: message.id, chatId: KERMAN_MANAGER, status: 'SENT', sentAt: at },
      { messageId: message.id, chatId: KERMAN_MEMBER, status: 'SENT', sentAt: at },
      { messageId: message.id, chatId: FORMULA_MANAGER, status: 'UNREACHABLE' },
    ],
  });
  const broadcast = await p.broadcast.create({
    data: {
      createdBy: PROVINCE,
      sourceChatId: PROVINCE,
      sourceMessageId: 1,
      contentKind: 'text',
      audience: { countyIds: [kermanCounty], fieldIds: [], statuses: ['APPROVED'], managersOnly: false },
      status: 'DONE',
      requestedAt: at,
      startAt: at,
      finishedAt: at,
      recipientCount: 3,
      outboxMessageId: message.id,
    },
  });
  return { kerman: kerman.id, rafsanjan: rafsanjan.id, formula: formula.id, kermanCourse: kermanCourse.id, provinceCourse: provinceCourse.id, deadline: deadline.id, broadcast: broadcast.id };
}

/** A sheet as a reader sees it: its name, view and widths, and every row's values as text or number. */
export interface ReadSheet {
  name: string;
  rightToLeft: boolean;
  frozenRows: number;
  widths: number[];
  header: string[];
  rows: (string | number | null)[][];
}

export async function readXlsx(bytes: Buffer): Promise<ReadSheet[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook.worksheets.map((ws) => {
    const view = (ws.views[0] ?? {}) as { rightToLeft?: boolean; state?: string; ySplit?: number };
    const values: (string | number | null)[][] = [];
    ws.eachRow({ includeEmpty: true }, (row) => {
      const cells: (string | number | null)[] = [];
      for (let i = 1; i <= ws.columnCount; i++) {
        const v = row.getCell(i).value;
        cells.push(v === null || v === undefined ? null : typeof v === 'number' ? v : String(v));
      }
      values.push(cells);
    });
    return {
      name: ws.name,
      rightToLeft: view.rightToLeft === true,
      frozenRows: view.state === 'frozen' ? (view.ySplit ?? 0) : 0,
      widths: ws.columns.map((c) => c.width ?? 0),
      header: (values[0] ?? []).map(String),
      rows: values.slice(1),
    };
  });
}

/** A CSV file: whether it starts with a byte order mark, its header and its rows (all text, as CSV is). */
export function readCsv(bytes: Buffer): { bom: boolean; header: string[]; rows: string[][] } {
  const text = bytes.toString('utf8');
  const records = parse(text, { bom: true, relax_column_count: false }) as string[][];
  return { bom: text.startsWith('\uFEFF'), header: records[0] ?? [], rows: records.slice(1) };
}

/** The entries of a zip, by name. */
export function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Buffer>();
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error('unreadable entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** A column of a sheet by its header. */
export function column(sheet: { header: string[]; rows: (string | number | null)[][] }, header: string): (string | number | null)[] {
  const index = sheet.header.indexOf(header);
  if (index < 0) throw new Error(`no column "${header}" in ${sheet.header.join(' | ')}`);
  return sheet.rows.map((r) => r[index] ?? null);
}
