/** The records each sheet is made of, as the use cases read them: data only, put into words by layout.ts. */
import type {
  BroadcastStatus,
  CourseStatus,
  DeadlineKind,
  DeadlineStatus,
  DeadlineTargetStatus,
  EnrollmentStatus,
  FeedbackStatus,
  FeedbackType,
  MemberRole,
  NeedStatus,
  NgoStatus,
  TrainingFormat,
} from '../../platform/db/generated/enums.js';
import type { SheetCode, Timeliness } from './rules.js';

export interface NgoRow {
  id: number;
  name: string;
  registrationNumber: string;
  authority: string;
  authorityOther: string | null;
  county: string;
  fields: string[];
  status: NgoStatus;
  foundedYear: number | null;
  /** As the NGO declared it at registration. */
  memberCount: number | null;
  /** Members who joined through the bot. */
  membersInBot: number;
  managerName: string;
  /** Null when the reader may not see phone numbers. */
  managerPhone: string | null;
  submittedAt: Date;
  approvedAt: Date | null;
}

export interface MemberRow {
  userId: bigint;
  name: string;
  username: string | null;
  ngoId: number;
  ngoName: string;
  county: string;
  role: MemberRole;
  joinedAt: Date;
  reachable: boolean;
  /** The manager's mobile as registered with the NGO; null for other members and for readers who may not see phones. */
  phone: string | null;
}

export interface CourseRow {
  id: number;
  title: string;
  topic: string | null;
  startsAt: Date;
  durationMinutes: number;
  format: TrainingFormat;
  place: string | null;
  capacity: number;
  perNgoLimit: number;
  registrationDeadline: Date;
  status: CourseStatus;
  enrolledNgos: number;
  enrolledSeats: number;
  waitlistedNgos: number;
  averageRating: number | null;
  ratings: number;
}

export interface RosterRow {
  courseId: number;
  courseTitle: string;
  courseStartsAt: Date;
  ngoId: number;
  ngoName: string;
  county: string;
  participants: number;
  status: EnrollmentStatus;
  enrolledAt: Date;
  attended: boolean | null;
}

export interface NeedRow {
  id: number;
  ngoId: number;
  ngoName: string;
  county: string;
  topic: string | null;
  description: string;
  participants: number;
  format: TrainingFormat;
  status: NeedStatus;
  createdAt: Date;
}

/** An anonymous item has no sender, NGO or county, whoever reads it. */
export interface FeedbackRow {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  anonymous: boolean;
  createdAt: Date;
  sender: string | null;
  ngoName: string | null;
  county: string | null;
  text: string;
  messages: number;
  firstAnsweredAt: Date | null;
}

export interface DeadlineRow {
  id: number;
  kind: DeadlineKind;
  title: string;
  projectNgo: string | null;
  amountToman: number | null;
  startsAt: Date | null;
  dueAt: Date;
  status: DeadlineStatus;
  createdAt: Date;
  /** NGOs within the reader's scope, by the state of their part. */
  targets: number;
  pending: number;
  submitted: number;
  accepted: number;
}

export interface ReportRow {
  deadlineId: number;
  title: string;
  dueAt: Date;
  ngoId: number;
  ngoName: string;
  county: string;
  status: DeadlineTargetStatus;
  submittedAt: Date | null;
  acceptedAt: Date | null;
  timeliness: Timeliness;
}

export interface BroadcastRow {
  id: number;
  createdAt: Date;
  createdBy: string;
  contentKind: string;
  urgent: boolean;
  status: BroadcastStatus;
  startAt: Date;
  finishedAt: Date | null;
  recipients: number;
  sent: number;
  failed: number;
  unreachable: number;
  cancelled: number;
  pending: number;
}

export interface SheetRows {
  ngos: NgoRow;
  members: MemberRow;
  courses: CourseRow;
  rosters: RosterRow;
  needs: NeedRow;
  feedback: FeedbackRow;
  deadlines: DeadlineRow;
  reports: ReportRow;
  broadcasts: BroadcastRow;
}

/** What the reader of an export may see: the counties they cover (null: the province) and whether phones. */
export interface ExportScope {
  counties: number[] | null;
  phones: boolean;
  now: Date;
}

export type SheetSource<S extends SheetCode> = (scope: ExportScope) => AsyncIterable<SheetRows[S][]>;
