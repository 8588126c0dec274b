/** What the feedback use cases take and return: drafts in, views of items and lists out. */
import type { Attachment, FeedbackStatus, FeedbackType } from './rules.js';

export type { Attachment } from './rules.js';

export interface FeedbackDraft {
  type: FeedbackType;
  /** The text in parts of at most FEEDBACK_LIMITS.partMax (see prepareFeedbackText). */
  parts: string[];
  attachments: Attachment[];
  anonymous: boolean;
}

export interface FollowUp {
  parts: string[];
  attachments: Attachment[];
}

export interface FeedbackConfig {
  /** Items one person may send per Tehran day. */
  dailyLimit?: number;
  /** Working days (Fridays excluded) after which an unanswered item is reminded to admins. */
  reminderWorkingDays?: number;
}

export type InboxStatusFilter = 'open' | 'received' | 'answered' | 'closed';

export interface InboxFilter {
  status: InboxStatusFilter;
  type?: FeedbackType;
  /** Province-level admins only; a county admin always sees their own county. */
  countyId?: number;
}

export interface InboxRow {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  createdAt: Date;
  anonymous: boolean;
  /** Null when anonymous (or the NGO was deleted). */
  ngo: { name: string; county: string } | null;
  assignee: string | null;
  overdue: boolean;
}

export interface InboxPage {
  total: number;
  items: InboxRow[];
  /** A county admin's inbox: always their own county, so no county filter is offered. */
  countyScoped: boolean;
}

export interface ThreadMessage {
  id: number;
  fromOffice: boolean;
  /** Who wrote it, for the reader at hand: null when it must not be shown (anonymous sender, or office staff to a member). */
  author: string | null;
  text: string;
  attachments: Attachment[];
  createdAt: Date;
}

export interface ItemView {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  anonymous: boolean;
  createdAt: Date;
  waitingSince: Date | null;
  /** Null for admins when anonymous. */
  sender: { id: bigint; name: string } | null;
  ngo: { id: number; name: string; county: string } | null;
  assignee: { id: bigint; name: string } | null;
  messages: ThreadMessage[];
}

export interface MyItemRow {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  createdAt: Date;
  anonymous: boolean;
}
