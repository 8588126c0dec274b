/**
 * The text of what this feature tells people, in the reader's language: the NGOs' notices and reminders,
 * the admins' report notices and daily digest (outbox payloads), and the facts every deadline screen
 * shares (due date, days left, amount). Services call these with a translator and a language; handlers
 * with the chat's own `ctx.t` and `ctx.fmt`.
 */
import type { TextContent } from '../../platform/delivery/outbox.js';
import type { Reader } from '../../platform/i18n/format.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { shorten } from '../../platform/bot/ui.js';
import { ACCEPT, REPORT, SUBMIT } from './actions.js';
import { daysLeft, type DueSlot } from './rules.js';
import { contactLines } from '../staff/index.js';

/** A reader: their translations and their formatter. */
export { readerFor, type Reader } from '../../platform/i18n/format.js';

export type Kind = 'PROJECT' | 'GENERAL';

export interface DeadlineFacts {
  id: number;
  kind: Kind;
  title: string;
  dueAt: Date;
  amountToman?: bigint | null;
  startsAt?: Date | null;
}

/** How much of a report the admins' notice quotes; the whole report is one button away. */
const NOTICE_REPORT_CHARS = 1200;
/** Lines of a digest before "and N more": one Telegram message holds 4,096 characters. */
const DIGEST_MAX_LINES = 20;

/** Project deadlines run to the end of a day (the date says it all); general ones name the hour. */
export function dueText({ fmt }: Reader, d: { kind: Kind; dueAt: Date }): string {
  if (d.kind === 'PROJECT') return fmt.date(d.dueAt);
  return fmt.lang === 'fa' ? fmt.dateTime(d.dueAt) : fmt.dateTime(d.dueAt).replace(' ', ' at ');
}

export function leftText({ t, fmt }: Reader, dueAt: Date, now: Date): string {
  const days = daysLeft(dueAt, now);
  if (days > 1) return t('deadlines.left.days', { n: fmt.digits(days) });
  if (days === 1) return t('deadlines.left.tomorrow');
  if (days === 0) return t('deadlines.left.today');
  return t('deadlines.left.overdue', { n: fmt.digits(-days) });
}

export function amountText({ t, fmt }: Reader, amount: bigint | number): string {
  return t('deadlines.amount', { amount: fmt.number(Number(amount)) });
}

/** The lines every deadline notice and page shares: title, project facts, due date and days left. */
export function factsLines(v: Reader, d: DeadlineFacts, now: Date): string[] {
  const { t, fmt } = v;
  const project = d.kind === 'PROJECT';
  return [
    t('deadlines.facts.title', { title: escapeHtml(d.title) }),
    project && d.amountToman ? t('deadlines.facts.amount', { value: amountText(v, d.amountToman) }) : null,
    project && d.startsAt ? t('deadlines.facts.start', { value: fmt.date(d.startsAt) }) : null,
    t('deadlines.facts.due', { value: dueText(v, d), left: leftText(v, d.dueAt, now) }),
  ].filter((l): l is string => l !== null);
}

function ngoPayload(v: Reader, lines: (string | null)[], deadlineId: number, withButton = true): TextContent {
  return {
    text: lines.filter((l): l is string => l !== null).join('\n'),
    parseMode: 'HTML',
    ...(withButton ? { replyMarkup: { inline_keyboard: [[{ text: v.t('deadlines.ngo.submit_button'), callback_data: SUBMIT.data(deadlineId) }]] } } : {}),
  };
}

/** To the NGOs of a new deadline. */
export function newDeadlineNotice(v: Reader, d: DeadlineFacts & { description: string | null }, now: Date): TextContent {
  const { t } = v;
  const description = d.description ? `\n${escapeHtml(d.description)}` : null;
  return ngoPayload(v, [t('deadlines.notice.new_title'), '', ...factsLines(v, d, now), description, '', t('deadlines.notice.new_body')], d.id);
}

/** A reminder before the due date, or the overdue notice after it; marked when sent late (after downtime). */
export function reminderNotice(v: Reader, d: DeadlineFacts, due: DueSlot, now: Date): TextContent {
  const { t } = v;
  const overdue = due.slot.kind === 'overdue';
  return ngoPayload(
    v,
    [
      t(overdue ? 'deadlines.notice.overdue_title' : 'deadlines.notice.reminder_title'),
      '',
      ...factsLines(v, d, now),
      '',
      t(overdue ? 'deadlines.notice.overdue_body' : 'deadlines.notice.reminder_body'),
      // One text goes to the NGOs of every county of the deadline: the office's contact is the one it can name.
      ...(overdue ? contactLines(t) : []),
      due.late ? `\n${t('deadlines.notice.late')}` : null,
    ],
    d.id,
  );
}

/** To the NGOs of an extended deadline, naming the old due date. */
export function extendedNotice(v: Reader, fresh: DeadlineFacts, old: DeadlineFacts, now: Date): TextContent {
  const { t } = v;
  return ngoPayload(v, [t('deadlines.notice.extended_title'), '', ...factsLines(v, fresh, now), '', t('deadlines.notice.extended_body', { old: dueText(v, old) })], fresh.id);
}

export function acceptedNotice(v: Reader, d: { id: number; title: string }): TextContent {
  return ngoPayload(v, [v.t('deadlines.notice.accepted', { title: escapeHtml(d.title) })], d.id, false);
}

/** To the admins responsible: an NGO's report (quoted), with buttons to read it whole and to accept it. */
export function reportReceivedNotice(
  v: Reader,
  r: { resubmitted: boolean; ngo: { id: number; name: string; county: string }; deadline: { id: number; title: string }; text: string; fileName: string | null; hasFile: boolean },
): TextContent {
  const { t, fmt } = v;
  const key = r.resubmitted ? 'deadlines.admin.report_resubmitted' : 'deadlines.admin.report_received';
  const lines = [
    t(key, { ngo: escapeHtml(r.ngo.name), county: escapeHtml(r.ngo.county), title: escapeHtml(r.deadline.title), id: fmt.digits(r.deadline.id) }),
    '',
    escapeHtml(shorten(r.text, NOTICE_REPORT_CHARS)),
    r.hasFile ? `\n${t('deadlines.admin.report_has_file', { name: escapeHtml(r.fileName ?? '—') })}` : null,
  ];
  return {
    text: lines.filter((l) => l !== null).join('\n'),
    parseMode: 'HTML',
    replyMarkup: {
      inline_keyboard: [
        [
          { text: t('deadlines.admin.view_report_button'), callback_data: REPORT.data(r.deadline.id, r.ngo.id) },
          { text: t('deadlines.admin.accept_button'), callback_data: ACCEPT.data(r.deadline.id, r.ngo.id) },
        ],
      ],
    },
  };
}

export interface OverdueRow {
  ngo: { name: string; county: { name: string } };
  deadline: { id: number; kind: Kind; title: string; dueAt: Date };
}

/** One admin's daily list of the overdue NGOs they supervise. */
export function overdueDigest(v: Reader, list: readonly OverdueRow[], now: Date): TextContent {
  const { t, fmt } = v;
  const lines = list.slice(0, DIGEST_MAX_LINES).map((r) =>
    t('deadlines.digest.item', {
      ngo: escapeHtml(shorten(r.ngo.name, 50)),
      county: escapeHtml(r.ngo.county.name),
      title: escapeHtml(shorten(r.deadline.title, 50)),
      id: fmt.digits(r.deadline.id),
      due: dueText(v, r.deadline),
      days: fmt.digits(-daysLeft(r.deadline.dueAt, now)),
    }),
  );
  if (list.length > DIGEST_MAX_LINES) lines.push(t('deadlines.digest.more', { n: fmt.number(list.length - DIGEST_MAX_LINES) }));
  const title = t('deadlines.digest.title', { n: fmt.number(list.length), date: fmt.date(now) });
  return { parseMode: 'HTML', text: [title, '', ...lines, '', t('deadlines.digest.footer')].join('\n') };
}
