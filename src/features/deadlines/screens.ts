/**
 * The chat screens of deadlines: the NGO's list, the office's list and a deadline's page, an NGO's report
 * as an admin reads it, the new deadline's summary. Data in, text and buttons out.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { shorten } from '../../platform/bot/ui.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { jalaliToDate } from '../../platform/text/jalali.js';
import type { NewDeadlineData } from './forms.js';
import type { DeadlineService } from './service.js';
import { ACCEPT, CLOSE, EXTEND, REPORT, SUBMIT, VIEW } from './actions.js';
import { amountText, dueText, factsLines, leftText } from './notices.js';

/** Lines of NGO names per group on a deadline's page before "and N more" (a message holds 4,096 characters). */
const PAGE_NAMES = 15;
/** How much of a report is shown in the chat; a longer one is cut (the document, if any, follows in full). */
const REPORT_VIEW_CHARS = 3000;
const PAGE_REPORT_BUTTONS = 10;

export interface Screen {
  text: string;
  keyboard?: InlineKeyboardMarkup;
}

const keyboardOf = (rows: InlineKeyboardButton[][]) => (rows.length ? Markup.inlineKeyboard(rows).reply_markup : undefined);

export function memberListScreen(ctx: BotContext, list: Awaited<ReturnType<DeadlineService['listForMember']>>): Screen {
  if (list.items.length === 0) return { text: ctx.t('deadlines.ngo.empty', { ngo: escapeHtml(list.ngo.name) }) };
  const lines = list.items.map((item, i) =>
    ctx.t('deadlines.ngo.item', {
      n: ctx.fmt.digits(i + 1),
      title: escapeHtml(shorten(item.title, 80)),
      kind: ctx.t(`deadlines.kind.${item.kind}`),
      due: dueText(ctx, item),
      left: leftText(ctx, item.dueAt, list.now),
      status: ctx.t(`deadlines.ngo.status.${item.targetStatus}`),
    }),
  );
  const buttons = list.items
    .filter((item) => item.targetStatus !== 'ACCEPTED')
    .map((item) => {
      const key = item.targetStatus === 'SUBMITTED' ? 'deadlines.ngo.resubmit_for' : 'deadlines.ngo.submit_for';
      return [Markup.button.callback(ctx.t(key, { title: shorten(item.title, 40) }), SUBMIT.data(item.id))];
    });
  return { text: [ctx.t('deadlines.ngo.title', { ngo: escapeHtml(list.ngo.name) }), '', ...lines].join('\n'), keyboard: keyboardOf(buttons) };
}

export function adminListScreen(ctx: BotContext, rows: Awaited<ReturnType<DeadlineService['listForAdmin']>>): Screen {
  if (rows.length === 0) return { text: ctx.t('deadlines.admin.list_empty') };
  const n = (value: number) => ctx.fmt.number(value);
  const lines = rows.map((r) =>
    ctx.t('deadlines.admin.list_item', {
      id: ctx.fmt.digits(r.id),
      title: escapeHtml(shorten(r.title, 60)),
      kind: ctx.t(`deadlines.kind.${r.kind}`),
      due: dueText(ctx, r),
      left: leftText(ctx, r.dueAt, r.now),
      accepted: n(r.accepted),
      submitted: n(r.submitted),
      pending: n(r.pending),
      overdue: n(r.overdue),
    }),
  );
  const buttons = rows.map((r) => [Markup.button.callback(`${n(r.id)}. ${shorten(r.title, 40)}`, VIEW.data(r.id))]);
  return { text: [ctx.t('deadlines.admin.list_title'), ...lines].join('\n\n'), keyboard: keyboardOf(buttons) };
}

export function adminPageScreen(ctx: BotContext, page: Awaited<ReturnType<DeadlineService['pageForAdmin']>>): Screen {
  const { deadline, targets, now, overdue, changeable } = page;
  const group = (status: 'ACCEPTED' | 'SUBMITTED' | 'PENDING') => targets.filter((x) => x.status === status);
  const names = (list: typeof targets) => {
    const shown = list.slice(0, PAGE_NAMES).map((x) => `  • ${escapeHtml(shorten(x.ngo.name, 50))} (${escapeHtml(x.ngo.county.name)})`);
    if (list.length > PAGE_NAMES) shown.push(`  ${ctx.t('deadlines.admin.more', { n: ctx.fmt.number(list.length - PAGE_NAMES) })}`);
    return shown;
  };
  const section = (key: string, list: typeof targets) => (list.length ? [ctx.t(key, { n: ctx.fmt.number(list.length) }), ...names(list)] : []);
  // The page names the deadline in its own title line: the facts without theirs.
  const facts = factsLines(ctx, deadline, now).slice(1);
  const lines = [
    ctx.t('deadlines.admin.page_title', { id: ctx.fmt.digits(deadline.id), title: escapeHtml(deadline.title) }),
    ctx.t('deadlines.admin.page_kind', { value: ctx.t(`deadlines.kind.${deadline.kind}`) }),
    ...facts,
    deadline.description ? escapeHtml(deadline.description) : null,
    ctx.t(`deadlines.admin.page_status_${deadline.status}`),
    '',
    ...section('deadlines.admin.group_accepted', group('ACCEPTED')),
    ...section('deadlines.admin.group_submitted', group('SUBMITTED')),
    ...section(overdue ? 'deadlines.admin.group_overdue' : 'deadlines.admin.group_pending', group('PENDING')),
  ].filter((l): l is string => l !== null);
  const rows: InlineKeyboardButton[][] = group('SUBMITTED')
    .slice(0, PAGE_REPORT_BUTTONS)
    .map((x) => [Markup.button.callback(ctx.t('deadlines.admin.report_button', { ngo: shorten(x.ngo.name, 40) }), REPORT.data(deadline.id, x.ngoId))]);
  if (deadline.status === 'OPEN' && changeable) {
    rows.push([
      Markup.button.callback(ctx.t('deadlines.admin.extend_button'), EXTEND.data(deadline.id)),
      Markup.button.callback(ctx.t('deadlines.admin.close_button'), CLOSE.data(deadline.id)),
    ]);
  }
  return { text: lines.join('\n'), keyboard: keyboardOf(rows) };
}

export function reportScreen(ctx: BotContext, { deadline, target }: Awaited<ReturnType<DeadlineService['reportForAdmin']>>): Screen {
  const text = [
    ctx.t('deadlines.admin.report_title', { ngo: escapeHtml(target.ngo.name), county: escapeHtml(target.ngo.county.name), title: escapeHtml(deadline.title) }),
    target.submittedAt ? ctx.t('deadlines.admin.report_submitted_at', { value: ctx.fmt.date(target.submittedAt) }) : null,
    ctx.t(`deadlines.ngo.status.${target.status}`),
    '',
    escapeHtml(shorten(target.reportText ?? '', REPORT_VIEW_CHARS)),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
  const acceptable = target.status === 'SUBMITTED' && deadline.status === 'OPEN';
  return { text, keyboard: acceptable ? keyboardOf([[Markup.button.callback(ctx.t('deadlines.admin.accept_button'), ACCEPT.data(deadline.id, target.ngoId))]]) : undefined };
}

/** The new deadline as it will be recorded, before the admin confirms it. */
/** `audienceCount`: how many NGOs a reporting deadline's audience holds now. */
export function summaryText(ctx: BotContext, draft: NewDeadlineData, audienceCount = 0): string {
  const kind = draft.kind === 'GENERAL' ? 'GENERAL' : 'PROJECT';
  const days = draft.reminderDays.map((d) => ctx.fmt.digits(d)).join('، ');
  const due = jalaliToDate(draft.due!, draft.time);
  const lines =
    kind === 'PROJECT'
      ? [
          ctx.t('deadlines.form.summary_ngo', { value: escapeHtml(draft.ngoName ?? ''), id: ctx.fmt.digits(draft.ngoId ?? 0) }),
          ctx.t('deadlines.facts.title', { title: escapeHtml(draft.title ?? '') }),
          ctx.t('deadlines.facts.amount', { value: amountText(ctx, draft.amount ?? 0) }),
          ctx.t('deadlines.facts.start', { value: ctx.fmt.date(jalaliToDate(draft.start!)) }),
          ctx.t('deadlines.form.summary_due', { value: ctx.fmt.date(due) }),
        ]
      : [
          ctx.t('deadlines.facts.title', { title: escapeHtml(draft.title ?? '') }),
          draft.description ? ctx.t('deadlines.form.summary_description', { value: escapeHtml(draft.description) }) : null,
          ctx.t('deadlines.form.summary_due', { value: dueText(ctx, { kind: 'GENERAL', dueAt: due }) }),
          ctx.t('deadlines.form.audience_count', { n: ctx.fmt.number(audienceCount) }),
        ];
  return [
    ctx.t('deadlines.form.summary_title'),
    '',
    ctx.t('deadlines.form.summary_kind', { value: ctx.t(`deadlines.kind.${kind}`) }),
    ...lines,
    ctx.t('deadlines.form.summary_reminders', { value: days }),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}
