/**
 * What every course use case reads: a course with its seats taken, an NGO's own enrolment, the course
 * lock, and who may manage a course. Storage only; the decisions are in rules.ts and the use cases.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { SqlReader } from '../../platform/db/reader.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import type { Translator } from '../../platform/i18n/index.js';
import type { Clock } from '../../platform/text/clock.js';
import { AppError } from '../../platform/errors.js';
import { parseEligibility, registrationState, waitlistPosition, type Eligibility, type TrainingFormat } from './rules.js';
import { requesterNgoIds, requireOfficeAdmin } from './needs-service.js';

export type Db = PrismaClient | Prisma.TransactionClient;

/** What the course use cases stand on. */
export interface CourseDeps {
  prisma: PrismaClient;
  sql: SqlReader;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
}

export interface CourseDraft {
  title: string;
  description: string | null;
  topicId: number | null;
  startsAt: Date;
  durationMinutes: number;
  format: TrainingFormat;
  place: string | null;
  onlineLink: string | null;
  capacity: number;
  perNgoLimit: number;
  registrationDeadline: Date;
  eligibility: Eligibility;
}

export type CourseChange = Partial<Pick<CourseDraft, 'title' | 'description' | 'place' | 'onlineLink' | 'capacity' | 'perNgoLimit' | 'registrationDeadline'>>;

/** A course with what a card needs: its topic's name and the seats taken. */
export interface CourseView extends CourseDraft {
  id: number;
  topicName: string | null;
  status: 'PUBLISHED' | 'CANCELLED' | 'FINISHED';
  headStartUntil: Date | null;
  createdAt: Date;
  taken: number;
  waiting: number;
}

export interface OwnEnrolment {
  status: 'ENROLLED' | 'WAITLISTED';
  participants: number;
  position: number | null;
}

export interface NgoCourse {
  course: CourseView;
  enrolment: OwnEnrolment | null;
  state: ReturnType<typeof registrationState>;
}

export interface EnrolResult {
  status: 'ENROLLED' | 'WAITLISTED';
  position: number | null;
  course: CourseView;
}

export interface RosterEntry {
  ngoId: number;
  ngoName: string;
  county: string;
  participants: number;
  status: 'ENROLLED' | 'WAITLISTED';
  position: number | null;
  managerName: string;
  managerPhone: string;
  enrolledBy: string;
  attended: boolean | null;
}

export const DAY_MS = 86_400_000;

export const courseInclude = { topic: { select: { name: true } } } as const;
export type CourseRow = Prisma.CourseGetPayload<{ include: typeof courseInclude }>;

export async function seatStats(db: Db, courseIds: number[]): Promise<Map<number, { taken: number; waiting: number }>> {
  const stats = new Map(courseIds.map((id) => [id, { taken: 0, waiting: 0 }]));
  if (courseIds.length === 0) return stats;
  const rows = await db.enrollment.groupBy({
    by: ['courseId', 'status'],
    where: { courseId: { in: courseIds }, status: { in: ['ENROLLED', 'WAITLISTED'] } },
    _sum: { participants: true },
    _count: true,
  });
  for (const row of rows) {
    const s = stats.get(row.courseId)!;
    if (row.status === 'ENROLLED') s.taken = row._sum.participants ?? 0;
    else s.waiting = row._count;
  }
  return stats;
}

export function toView(row: CourseRow, stats: { taken: number; waiting: number }): CourseView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    topicId: row.topicId,
    topicName: row.topic?.name ?? null,
    startsAt: row.startsAt,
    durationMinutes: row.durationMinutes,
    format: row.format,
    place: row.place,
    onlineLink: row.onlineLink,
    capacity: row.capacity,
    perNgoLimit: row.perNgoLimit,
    registrationDeadline: row.registrationDeadline,
    eligibility: parseEligibility(row.eligibility),
    status: row.status,
    headStartUntil: row.headStartUntil,
    createdAt: row.createdAt,
    taken: stats.taken,
    waiting: stats.waiting,
  };
}

/** Rows read in one query, each with its seats. */
export async function viewsOf(db: Db, rows: readonly CourseRow[]): Promise<CourseView[]> {
  const stats = await seatStats(db, rows.map((r) => r.id));
  return rows.map((r) => toView(r, stats.get(r.id)!));
}

export async function loadCourse(db: Db, courseId: number): Promise<CourseView | null> {
  const row = await db.course.findUnique({ where: { id: courseId }, include: courseInclude });
  return row ? (await viewsOf(db, [row]))[0]! : null;
}

export async function requireCourse(db: Db, courseId: number): Promise<CourseView> {
  const course = await loadCourse(db, courseId);
  if (!course) throw new AppError('courses.errors.not_found');
  return course;
}

/** Serialises every change to a course's seats: the second of two racing transactions waits here. */
export async function lockCourse(tx: Prisma.TransactionClient, courseId: number): Promise<void> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM courses WHERE id = ${courseId} FOR UPDATE`;
  if (rows.length === 0) throw new AppError('courses.errors.not_found');
}

export async function ownEnrolment(db: Db, courseId: number, ngoId: number): Promise<OwnEnrolment | null> {
  return (await ownEnrolments(db, [courseId], ngoId)).get(courseId) ?? null;
}

/** The NGO's enrolment in each of these courses, in one query (plus one per waitlist it stands in). */
export async function ownEnrolments(db: Db, courseIds: readonly number[], ngoId: number): Promise<Map<number, OwnEnrolment>> {
  const result = new Map<number, OwnEnrolment>();
  if (courseIds.length === 0) return result;
  const rows = await db.enrollment.findMany({ where: { ngoId, courseId: { in: [...courseIds] }, status: { in: ['ENROLLED', 'WAITLISTED'] } } });
  // The query asked for these two statuses only.
  for (const mine of rows) result.set(mine.courseId, await asOwnEnrolment(db, mine as typeof mine & { status: OwnEnrolment['status'] }));
  return result;
}

/** An NGO's enrolment as its course card shows it: on the waitlist, with its place in line. */
export async function asOwnEnrolment(
  db: Db,
  mine: { id: number; courseId: number; status: OwnEnrolment['status']; participants: number },
): Promise<OwnEnrolment> {
  const position = mine.status === 'WAITLISTED' ? await positionOnWaitlist(db, mine.courseId, mine.id) : null;
  return { status: mine.status, participants: mine.participants, position };
}

/** Where an enrolment stands on its course's waitlist (1 = next to get a seat). */
async function positionOnWaitlist(db: Db, courseId: number, enrolmentId: number): Promise<number | null> {
  const waitlist = await db.enrollment.findMany({ where: { courseId, status: 'WAITLISTED' }, select: { id: true, participants: true, waitlistedAt: true } });
  return waitlistPosition(waitlist, enrolmentId);
}

/** A county admin's course is one whose only county is theirs. */
export function inCountyOf(admin: { role: string; countyId: number | null }, course: CourseView): boolean {
  if (admin.role !== 'COUNTY_ADMIN') return true;
  const counties = course.eligibility.countyIds;
  return counties.length === 1 && counties[0] === admin.countyId;
}

/** Super and province admins manage every course; a county admin the courses of their county only. */
export async function requireManager(prisma: PrismaClient, adminId: bigint, course?: CourseView) {
  const admin = await requireOfficeAdmin(prisma, adminId);
  if (course && !inCountyOf(admin, course)) throw new AppError('courses.errors.other_county');
  return admin;
}

export async function requireManagedCourse(prisma: PrismaClient, adminId: bigint, courseId: number) {
  const course = await requireCourse(prisma, courseId);
  const admin = await requireManager(prisma, adminId, course);
  return { course, admin };
}

/** During the head start only NGOs that asked for the topic before publication may enrol. */
export async function isRequester(db: Db, course: CourseView, ngoId: number): Promise<boolean> {
  if (!course.headStartUntil) return false;
  return (await requesterNgoIds(db, course.topicId, course.createdAt, course.eligibility)).has(ngoId);
}
