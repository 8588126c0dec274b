/**
 * How each sheet reads: its title, its columns (header, width) and each record's cells, in the
 * reader's language. Dates are Jalali on the Tehran clock, as text in the reader's digits (Excel has
 * no Jalali date type; zero-padded, they sort as dates); quantities are numbers; phone, registration
 * and Telegram numbers are text, so that no leading zero is lost and no long id is rounded.
 */
import type { Reader } from '../../platform/i18n/format.js';
import { toJalali } from '../../platform/text/jalali.js';
import { normalizeIranMobile } from '../../platform/text/phone.js';
import type { SheetCode } from './rules.js';
import type { SheetRows } from './types.js';
import type { Cell, ColumnHead } from './xlsx.js';

export interface SheetLayout<R> {
  title: string;
  columns: ColumnHead[];
  cells(row: R): Cell[];
}

/** What the use case asks of the reader's side: a layout per sheet, and the direction of the sheets. */
export interface ExportLayout {
  rightToLeft: boolean;
  sheet<S extends SheetCode>(sheet: S, options: { phones: boolean }): SheetLayout<SheetRows[S]>;
}

interface Column<R> {
  key: string;
  width: number;
  value(row: R): Cell;
}

const WIDTH = { id: 9, short: 14, date: 13, dateTime: 18, name: 34, text: 60, count: 12 } as const;

/** The cells' words and numbers for one reader. */
function cellsOf({ t, fmt }: Reader) {
  const pad2 = (n: number) => String(n).padStart(2, '0');
  return {
    date: (d: Date | null): Cell => (d ? fmt.date(d) : null),
    dateTime(d: Date | null): Cell {
      if (!d) return null;
      const { hour, minute } = toJalali(d);
      return `${fmt.date(d)} ${fmt.digits(`${pad2(hour)}:${pad2(minute)}`)}`;
    },
    label: (group: string, value: string | null): Cell => (value === null ? null : t(`exports.values.${group}.${value}`)),
    yesNo: (value: boolean | null): Cell => (value === null ? null : t(value ? 'exports.values.yes' : 'exports.values.no')),
    /** '09121234567': the local form people dial and search for, in Latin digits. */
    phone: (stored: string | null): Cell => {
      if (stored === null) return null;
      const canonical = normalizeIranMobile(stored);
      return canonical ? `0${canonical.slice(3)}` : stored;
    },
    list: (values: string[]): Cell => values.join(t('exports.values.separator')),
  };
}

/** Every sheet's columns, for one reader; the phone columns only when the reader may see phones. */
function columnsOf(r: Reader, phones: boolean) {
  const c = cellsOf(r);
  const phone = <R>(col: Column<R>): Column<R>[] => (phones ? [col] : []);
  return {
    ngos: [
      { key: 'id', width: WIDTH.id, value: (n) => n.id },
      { key: 'name', width: WIDTH.name, value: (n) => n.name },
      { key: 'registration_number', width: WIDTH.short, value: (n) => n.registrationNumber },
      { key: 'authority', width: 24, value: (n) => (n.authority === 'OTHER' && n.authorityOther ? n.authorityOther : c.label('authority', n.authority)) },
      { key: 'county', width: WIDTH.short, value: (n) => n.county },
      { key: 'fields', width: 40, value: (n) => c.list(n.fields) },
      { key: 'status', width: WIDTH.short, value: (n) => c.label('ngo_status', n.status) },
      { key: 'founded_year', width: WIDTH.count, value: (n) => n.foundedYear },
      { key: 'member_count', width: WIDTH.count, value: (n) => n.memberCount },
      { key: 'members_in_bot', width: WIDTH.count, value: (n) => n.membersInBot },
      { key: 'manager_name', width: 24, value: (n) => n.managerName },
      ...phone<SheetRows['ngos']>({ key: 'manager_phone', width: WIDTH.short, value: (n) => c.phone(n.managerPhone) }),
      { key: 'submitted_at', width: WIDTH.date, value: (n) => c.date(n.submittedAt) },
      { key: 'approved_at', width: WIDTH.date, value: (n) => c.date(n.approvedAt) },
    ],
    members: [
      { key: 'telegram_id', width: WIDTH.short, value: (m) => String(m.userId) },
      { key: 'name', width: 26, value: (m) => m.name },
      { key: 'username', width: 18, value: (m) => (m.username ? `@${m.username}` : null) },
      { key: 'ngo_id', width: WIDTH.id, value: (m) => m.ngoId },
      { key: 'ngo', width: WIDTH.name, value: (m) => m.ngoName },
      { key: 'county', width: WIDTH.short, value: (m) => m.county },
      { key: 'role', width: WIDTH.short, value: (m) => c.label('member_role', m.role) },
      ...phone<SheetRows['members']>({ key: 'phone', width: WIDTH.short, value: (m) => c.phone(m.phone) }),
      { key: 'joined_at', width: WIDTH.date, value: (m) => c.date(m.joinedAt) },
      { key: 'reachable', width: WIDTH.count, value: (m) => c.yesNo(m.reachable) },
    ],
    courses: [
      { key: 'id', width: WIDTH.id, value: (x) => x.id },
      { key: 'title', width: WIDTH.name, value: (x) => x.title },
      { key: 'topic', width: 24, value: (x) => x.topic },
      { key: 'starts_at', width: WIDTH.dateTime, value: (x) => c.dateTime(x.startsAt) },
      { key: 'duration', width: WIDTH.count, value: (x) => x.durationMinutes },
      { key: 'format', width: WIDTH.short, value: (x) => c.label('course_format', x.format) },
      { key: 'place', width: 30, value: (x) => x.place },
      { key: 'capacity', width: WIDTH.count, value: (x) => x.capacity },
      { key: 'per_ngo_limit', width: WIDTH.count, value: (x) => x.perNgoLimit },
      { key: 'registration_deadline', width: WIDTH.dateTime, value: (x) => c.dateTime(x.registrationDeadline) },
      { key: 'status', width: WIDTH.short, value: (x) => c.label('course_status', x.status) },
      { key: 'enrolled_ngos', width: WIDTH.count, value: (x) => x.enrolledNgos },
      { key: 'enrolled_seats', width: WIDTH.count, value: (x) => x.enrolledSeats },
      { key: 'waitlisted_ngos', width: WIDTH.count, value: (x) => x.waitlistedNgos },
      { key: 'average_rating', width: WIDTH.count, value: (x) => (x.averageRating === null ? null : Math.round(x.averageRating * 100) / 100) },
      { key: 'ratings', width: WIDTH.count, value: (x) => x.ratings },
    ],
    rosters: [
      { key: 'course_id', width: WIDTH.id, value: (e) => e.courseId },
      { key: 'course', width: WIDTH.name, value: (e) => e.courseTitle },
      { key: 'course_starts_at', width: WIDTH.dateTime, value: (e) => c.dateTime(e.courseStartsAt) },
      { key: 'ngo_id', width: WIDTH.id, value: (e) => e.ngoId },
      { key: 'ngo', width: WIDTH.name, value: (e) => e.ngoName },
      { key: 'county', width: WIDTH.short, value: (e) => e.county },
      { key: 'participants', width: WIDTH.count, value: (e) => e.participants },
      { key: 'status', width: WIDTH.short, value: (e) => c.label('enrolment_status', e.status) },
      { key: 'enrolled_at', width: WIDTH.date, value: (e) => c.date(e.enrolledAt) },
      { key: 'attended', width: WIDTH.count, value: (e) => c.yesNo(e.attended) },
    ],
    needs: [
      { key: 'id', width: WIDTH.id, value: (n) => n.id },
      { key: 'ngo_id', width: WIDTH.id, value: (n) => n.ngoId },
      { key: 'ngo', width: WIDTH.name, value: (n) => n.ngoName },
      { key: 'county', width: WIDTH.short, value: (n) => n.county },
      { key: 'topic', width: 24, value: (n) => n.topic },
      { key: 'description', width: WIDTH.text, value: (n) => n.description },
      { key: 'participants', width: WIDTH.count, value: (n) => n.participants },
      { key: 'format', width: WIDTH.short, value: (n) => c.label('course_format', n.format) },
      { key: 'status', width: WIDTH.short, value: (n) => c.label('need_status', n.status) },
      { key: 'created_at', width: WIDTH.date, value: (n) => c.date(n.createdAt) },
    ],
    feedback: [
      { key: 'id', width: WIDTH.id, value: (f) => f.id },
      { key: 'type', width: WIDTH.short, value: (f) => c.label('feedback_type', f.type) },
      { key: 'status', width: WIDTH.short, value: (f) => c.label('feedback_status', f.status) },
      { key: 'created_at', width: WIDTH.dateTime, value: (f) => c.dateTime(f.createdAt) },
      { key: 'sender', width: 24, value: (f) => (f.anonymous ? r.t('exports.values.anonymous') : f.sender) },
      { key: 'ngo', width: WIDTH.name, value: (f) => f.ngoName },
      { key: 'county', width: WIDTH.short, value: (f) => f.county },
      { key: 'text', width: WIDTH.text, value: (f) => f.text },
      { key: 'messages', width: WIDTH.count, value: (f) => f.messages },
      { key: 'first_answered_at', width: WIDTH.dateTime, value: (f) => c.dateTime(f.firstAnsweredAt) },
    ],
    deadlines: [
      { key: 'id', width: WIDTH.id, value: (d) => d.id },
      { key: 'kind', width: WIDTH.short, value: (d) => c.label('deadline_kind', d.kind) },
      { key: 'title', width: WIDTH.name, value: (d) => d.title },
      { key: 'project_ngo', width: WIDTH.name, value: (d) => d.projectNgo },
      { key: 'amount', width: 16, value: (d) => d.amountToman },
      { key: 'starts_at', width: WIDTH.date, value: (d) => c.date(d.startsAt) },
      { key: 'due_at', width: WIDTH.dateTime, value: (d) => c.dateTime(d.dueAt) },
      { key: 'status', width: WIDTH.short, value: (d) => c.label('deadline_status', d.status) },
      { key: 'targets', width: WIDTH.count, value: (d) => d.targets },
      { key: 'pending', width: WIDTH.count, value: (d) => d.pending },
      { key: 'submitted', width: WIDTH.count, value: (d) => d.submitted },
      { key: 'accepted', width: WIDTH.count, value: (d) => d.accepted },
      { key: 'created_at', width: WIDTH.date, value: (d) => c.date(d.createdAt) },
    ],
    reports: [
      { key: 'deadline_id', width: WIDTH.id, value: (x) => x.deadlineId },
      { key: 'deadline', width: WIDTH.name, value: (x) => x.title },
      { key: 'due_at', width: WIDTH.dateTime, value: (x) => c.dateTime(x.dueAt) },
      { key: 'ngo_id', width: WIDTH.id, value: (x) => x.ngoId },
      { key: 'ngo', width: WIDTH.name, value: (x) => x.ngoName },
      { key: 'county', width: WIDTH.short, value: (x) => x.county },
      { key: 'status', width: WIDTH.short, value: (x) => c.label('report_status', x.status) },
      { key: 'submitted_at', width: WIDTH.dateTime, value: (x) => c.dateTime(x.submittedAt) },
      { key: 'accepted_at', width: WIDTH.dateTime, value: (x) => c.dateTime(x.acceptedAt) },
      { key: 'timeliness', width: WIDTH.short, value: (x) => c.label('timeliness', x.timeliness) },
    ],
    broadcasts: [
      { key: 'id', width: WIDTH.id, value: (b) => b.id },
      { key: 'created_at', width: WIDTH.dateTime, value: (b) => c.dateTime(b.createdAt) },
      { key: 'created_by', width: 24, value: (b) => b.createdBy },
      { key: 'content_kind', width: WIDTH.short, value: (b) => c.label('content_kind', b.contentKind) },
      { key: 'urgent', width: WIDTH.count, value: (b) => c.yesNo(b.urgent) },
      { key: 'status', width: WIDTH.short, value: (b) => c.label('broadcast_status', b.status) },
      { key: 'start_at', width: WIDTH.dateTime, value: (b) => c.dateTime(b.startAt) },
      { key: 'finished_at', width: WIDTH.dateTime, value: (b) => c.dateTime(b.finishedAt) },
      { key: 'recipients', width: WIDTH.count, value: (b) => b.recipients },
      { key: 'sent', width: WIDTH.count, value: (b) => b.sent },
      { key: 'failed', width: WIDTH.count, value: (b) => b.failed },
      { key: 'unreachable', width: WIDTH.count, value: (b) => b.unreachable },
      { key: 'cancelled', width: WIDTH.count, value: (b) => b.cancelled },
      { key: 'pending', width: WIDTH.count, value: (b) => b.pending },
    ],
  } satisfies { [S in SheetCode]: Column<SheetRows[S]>[] };
}

/** The layout of every sheet for this reader (a handler's ctx is one). */
export function exportLayout(r: Reader): ExportLayout {
  return {
    rightToLeft: r.fmt.lang === 'fa',
    sheet<S extends SheetCode>(sheet: S, options: { phones: boolean }): SheetLayout<SheetRows[S]> {
      const columns = columnsOf(r, options.phones)[sheet] as Column<SheetRows[S]>[];
      return {
        title: r.t(`exports.sheets.${sheet}`),
        columns: columns.map((col) => ({ header: r.t(`exports.columns.${sheet}.${col.key}`), width: col.width })),
        cells: (row) => columns.map((col) => col.value(row)),
      };
    },
  };
}
