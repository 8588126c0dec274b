/**
 * Feedback, the office's side: /inbox (open items oldest first, filtered by status, type and county,
 * paged), one item with its thread and attachments, and the actions on it: reply, close, reopen,
 * assign. /feedback_settings chooses between notices at once and a daily digest. Every command and
 * button passes requireAdmin (the role read from the database) and the service checks the admin's
 * scope and writes the audit log.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { FEEDBACK_LIMITS, type FeedbackType } from './rules.js';
import { normalizeInput } from '../../platform/text/persian-text.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { AppError } from '../../platform/errors.js';
import { FEEDBACK_ACTIONS, type InboxFilter, type InboxStatusFilter, type ItemView } from './service.js';
import { actionTrigger, callbackData, parseCallbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from '../staff/guards.js';
import { end, FormRunner, stay, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { editOrSend, send } from '../../platform/bot/ui.js';
import { appErrorText, bigNumber, digits, ITEM_ID, itemIdFrom, jalaliTime, pack, stale, threadBlocks, typeLabel, withAppErrors } from './bot-common.js';

export const INBOX_ACTIONS = {
  list: 'fbi_ls',
  counties: 'fbi_cty',
  view: FEEDBACK_ACTIONS.view,
  reply: 'fbi_re',
  close: 'fbi_cl',
  reopen: 'fbi_ro',
  assignMenu: 'fbi_as',
  assign: 'fbi_at',
  settings: 'fbs',
} as const;

const PAGE_SIZE = 5;

// ---- the list's state, carried in callback data: <status>-<type>-<county>-<page> --------------------

const STATUS_CODES: Record<string, InboxStatusFilter> = { o: 'open', r: 'received', a: 'answered', c: 'closed' };
const STATUS_ORDER = ['o', 'r', 'a', 'c'] as const;
const TYPE_CODES: Record<string, FeedbackType | undefined> = { x: undefined, S: 'SUGGESTION', C: 'CRITICISM', P: 'COMPLAINT', Q: 'QUESTION' };
const TYPE_ORDER = ['x', 'S', 'C', 'P', 'Q'] as const;
const LIST_STATE = /^([orac])-([xSCPQ])-(\d{1,6})-(\d{1,4})$/;

interface ListState {
  status: (typeof STATUS_ORDER)[number];
  type: (typeof TYPE_ORDER)[number];
  county: number;
  page: number;
}

const DEFAULT_STATE: ListState = { status: 'o', type: 'x', county: 0, page: 0 };

const encode = (s: ListState) => `${s.status}-${s.type}-${s.county}-${s.page}`;

function decode(arg: string | null): ListState | null {
  const match = arg === null ? null : LIST_STATE.exec(arg);
  if (!match) return null;
  return { status: match[1] as ListState['status'], type: match[2] as ListState['type'], county: Number(match[3]), page: Number(match[4]) };
}

function filterOf(state: ListState): InboxFilter {
  const type = TYPE_CODES[state.type];
  return { status: STATUS_CODES[state.status]!, ...(type ? { type } : {}), ...(state.county ? { countyId: state.county } : {}) };
}

const cycle = <T>(order: readonly T[], current: T): T => order[(order.indexOf(current) + 1) % order.length]!;

function argOf(ctx: BotContext, action: string): string | null {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  return parseCallbackData(data, action);
}

// ---- the list ---------------------------------------------------------------------------------------

async function countyName(ctx: BotContext, id: number): Promise<string | null> {
  const { counties } = await ctx.services.ngos.referenceLists();
  return counties.find((c) => c.id === id)?.name ?? null;
}

async function listView(ctx: BotContext, requested: ListState): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const service = ctx.services.feedback;
  let state = requested;
  let result = await service.inbox(ctx.user.id, filterOf(state), state.page, PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  if (result.items.length === 0 && result.total > 0) {
    // The list shrank since the button was drawn: show its last page.
    state = { ...state, page: pages - 1 };
    result = await service.inbox(ctx.user.id, filterOf(state), state.page, PAGE_SIZE);
  }
  const county = !result.countyScoped && state.county ? await countyName(ctx, state.county) : null;
  const filters = ctx.t('feedback.inbox.filters', {
    status: ctx.t(`feedback.inbox.status_filter.${state.status}`),
    type: TYPE_CODES[state.type] ? ctx.t(`feedback.types.${TYPE_CODES[state.type]}`) : ctx.t('feedback.inbox.all'),
    county: result.countyScoped ? ctx.t('feedback.inbox.own_county') : county ? escapeHtml(county) : ctx.t('feedback.inbox.all'),
  });
  const lines = result.items.map((item, i) =>
    ctx.t('feedback.inbox.item', {
      n: digits(ctx, state.page * PAGE_SIZE + i + 1),
      id: digits(ctx, item.id),
      type: typeLabel(ctx, item.type),
      status: ctx.t(`feedback.statuses.${item.status}`),
      date: jalaliTime(ctx, item.createdAt),
      from: item.ngo ? ctx.t('feedback.inbox.from_ngo', { name: escapeHtml(item.ngo.name), county: escapeHtml(item.ngo.county) }) : ctx.t('feedback.inbox.from_anonymous'),
      assignee: item.assignee ? ctx.t('feedback.inbox.assigned_to', { name: escapeHtml(item.assignee) }) : '',
      overdue: item.overdue ? ctx.t('feedback.inbox.overdue') : '',
    }),
  );
  const text = [
    ctx.t('feedback.inbox.title', { total: digits(ctx, result.total) }),
    filters,
    '',
    ...(lines.length ? lines : [ctx.t('feedback.inbox.empty')]),
    ...(pages > 1 ? ['', ctx.t('feedback.page', { page: digits(ctx, state.page + 1), pages: digits(ctx, pages) })] : []),
  ].join('\n');

  const list = (s: ListState) => callbackData(INBOX_ACTIONS.list, encode(s));
  const rows: InlineKeyboardButton[][] = result.items.map((item) => [
    Markup.button.callback(ctx.t('feedback.inbox.view_button', { id: digits(ctx, item.id), type: ctx.t(`feedback.types.${item.type}`) }), callbackData(INBOX_ACTIONS.view, item.id)),
  ]);
  const nav: InlineKeyboardButton[] = [];
  if (state.page > 0) nav.push(Markup.button.callback(ctx.t('feedback.prev_page'), list({ ...state, page: state.page - 1 })));
  if (state.page + 1 < pages) nav.push(Markup.button.callback(ctx.t('feedback.next_page'), list({ ...state, page: state.page + 1 })));
  if (nav.length) rows.push(nav);
  const filterRow = [
    Markup.button.callback(ctx.t('feedback.inbox.status_button'), list({ ...state, status: cycle(STATUS_ORDER, state.status), page: 0 })),
    Markup.button.callback(ctx.t('feedback.inbox.type_button'), list({ ...state, type: cycle(TYPE_ORDER, state.type), page: 0 })),
  ];
  if (!result.countyScoped) filterRow.push(Markup.button.callback(ctx.t('feedback.inbox.county_button'), callbackData(INBOX_ACTIONS.counties, encode({ ...state, page: 0 }))));
  rows.push(filterRow);
  return { text, keyboard: { inline_keyboard: rows } };
}

async function countyPicker(ctx: BotContext, state: ListState): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const { counties } = await ctx.services.ngos.referenceLists();
  const button = (label: string, county: number) =>
    Markup.button.callback(`${state.county === county ? '✅ ' : ''}${label}`, callbackData(INBOX_ACTIONS.list, encode({ ...state, county, page: 0 })));
  const buttons = counties.map((c) => button(c.name, c.id));
  const rows: InlineKeyboardButton[][] = [[button(ctx.t('feedback.inbox.all_counties'), 0)]];
  for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
  return { text: ctx.t('feedback.inbox.choose_county'), keyboard: { inline_keyboard: rows } };
}

// ---- one item ---------------------------------------------------------------------------------------

function itemHeader(ctx: BotContext, view: ItemView): string {
  const sender = view.sender
    ? ctx.t('feedback.item.sender', {
        name: escapeHtml(view.sender.name),
        ngo: view.ngo ? ctx.t('feedback.item.sender_ngo', { name: escapeHtml(view.ngo.name), county: escapeHtml(view.ngo.county) }) : '',
      })
    : ctx.t('feedback.item.sender_anonymous');
  return [
    ctx.t('feedback.item.title', { id: digits(ctx, view.id), type: typeLabel(ctx, view.type) }),
    ctx.t('feedback.item.status', { status: ctx.t(`feedback.statuses.${view.status}`) }),
    sender,
    ctx.t('feedback.item.assignee', { name: view.assignee ? escapeHtml(view.assignee.name) : ctx.t('feedback.item.nobody') }),
    ctx.t('feedback.item.received_at', { date: jalaliTime(ctx, view.createdAt) }),
  ].join('\n');
}

function itemKeyboard(ctx: BotContext, view: { id: number; status: string }): InlineKeyboardMarkup {
  const button = (key: string, action: string) => Markup.button.callback(ctx.t(key), callbackData(action, view.id));
  const rows: InlineKeyboardButton[][] =
    view.status === 'CLOSED'
      ? [[button('feedback.item.reopen_button', INBOX_ACTIONS.reopen)]]
      : [[button('feedback.item.reply_button', INBOX_ACTIONS.reply), button('feedback.item.close_button', INBOX_ACTIONS.close)]];
  rows.push([
    button('feedback.item.assign_button', INBOX_ACTIONS.assignMenu),
    Markup.button.callback(ctx.t('feedback.item.inbox_button'), callbackData(INBOX_ACTIONS.list, encode(DEFAULT_STATE))),
  ]);
  return { inline_keyboard: rows };
}

/** The item card and thread; attachments after them as the files themselves; the actions last. */
async function showItem(ctx: BotContext, itemId: number): Promise<void> {
  const view = await ctx.services.feedback.view(ctx.user.id, itemId);
  const chunks = pack([itemHeader(ctx, view), ...threadBlocks(ctx, view, 'admin')]);
  const attachments = view.messages.flatMap((m, index) => m.attachments.map((a) => ({ ...a, message: index + 1 })));
  for (const [i, chunk] of chunks.entries()) {
    const last = i === chunks.length - 1 && attachments.length === 0;
    await send(ctx, chunk, last ? itemKeyboard(ctx, view) : undefined);
  }
  if (attachments.length === 0) return;
  const chatId = ctx.chat?.id ?? ctx.user.id.toString();
  for (const a of attachments) {
    const caption = ctx.t('feedback.item.attachment_caption', { id: digits(ctx, view.id), message: digits(ctx, a.message) });
    try {
      if (a.kind === 'photo') await ctx.telegram.sendPhoto(chatId, a.fileId, { caption });
      else await ctx.telegram.sendDocument(chatId, a.fileId, { caption });
    } catch (err) {
      // A file the platform no longer serves must not hide the rest of the item.
      ctx.log.warn({ err, itemId }, 'could not send a feedback attachment');
      await send(ctx, ctx.t('feedback.item.attachment_failed', { message: digits(ctx, a.message) }));
    }
  }
  await send(ctx, ctx.t('feedback.item.actions', { id: digits(ctx, view.id) }), itemKeyboard(ctx, view));
}

// ---- reply form -------------------------------------------------------------------------------------

/** The form router bypasses requireAdmin, so the answer re-checks the role itself. */
async function stillAdmin(ctx: BotContext): Promise<boolean> {
  if (await ctx.services.admins.roleOf(ctx.user.id)) return true;
  ctx.log.info({ userId: String(ctx.user.id) }, 'refused a feedback reply from a user who is no longer an admin');
  await ctx.reply(ctx.t('common.errors.not_admin'), mainMenu(ctx));
  return false;
}

const TEXT_ERRORS = new Set(['feedback.errors.reply_empty', 'feedback.errors.reply_no_letters', 'feedback.errors.reply_too_long']);

const replyStep: FormStep = {
  id: 'text',
  wrongInputKey: 'feedback.reply.text_only',
  async ask(ctx, data) {
    await ctx.reply(ctx.t('feedback.reply.ask', { id: digits(ctx, Number(data.itemId)), max: bigNumber(ctx, FEEDBACK_LIMITS.replyMax) }), {
      parse_mode: 'HTML',
      ...formKeyboard(ctx, { back: false }),
    });
  },
  async onText(ctx, text, data): Promise<StepOutcome> {
    if (!(await stillAdmin(ctx))) return end;
    const itemId = Number(data.itemId);
    try {
      await ctx.services.feedback.reply(ctx.user.id, itemId, text);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // A text that can be fixed keeps the form open; anything else (closed meanwhile) ends it.
      await ctx.reply(appErrorText(ctx, err), { parse_mode: 'HTML', ...(TEXT_ERRORS.has(err.code) ? {} : mainMenu(ctx)) });
      return TEXT_ERRORS.has(err.code) ? stay : end;
    }
    await ctx.reply(ctx.t('feedback.reply.done', { id: digits(ctx, itemId) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
    return end;
  },
};

const replyForm = new FormRunner({
  name: 'feedback_reply',
  titleKey: 'feedback.reply.title',
  prefix: 'fbre',
  steps: [replyStep],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

export const inboxForms: FormRunner[] = [replyForm];

// ---- handlers -----------------------------------------------------------------------------------------

export const inboxFeature = new Composer<BotContext>();

inboxFeature.command('inbox', requireAdmin, withAppErrors(async (ctx) => {
  // "/inbox ۱۲" opens that item, as the tracking number is shown in Persian digits.
  const arg = normalizeInput(ctx.payload).replace(/^#/, '');
  if (arg && ITEM_ID.test(arg)) return showItem(ctx, Number(arg));
  if (arg) throw new AppError('feedback.inbox.usage');
  const { text, keyboard } = await listView(ctx, DEFAULT_STATE);
  await send(ctx, text, keyboard);
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.list), requireAdmin, withAppErrors(async (ctx) => {
  const state = decode(argOf(ctx, INBOX_ACTIONS.list));
  if (!state) return stale(ctx);
  const { text, keyboard } = await listView(ctx, state);
  await editOrSend(ctx, text, keyboard);
  await ctx.answerCbQuery();
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.counties), requireAdmin, withAppErrors(async (ctx) => {
  const state = decode(argOf(ctx, INBOX_ACTIONS.counties));
  if (!state) return stale(ctx);
  const { text, keyboard } = await countyPicker(ctx, state);
  await editOrSend(ctx, text, keyboard);
  await ctx.answerCbQuery();
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.view), requireAdmin, withAppErrors(async (ctx) => {
  const id = itemIdFrom(ctx, INBOX_ACTIONS.view);
  if (id === null) return stale(ctx);
  await ctx.answerCbQuery();
  await showItem(ctx, id);
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.reply), requireAdmin, withAppErrors(async (ctx) => {
  const id = itemIdFrom(ctx, INBOX_ACTIONS.reply);
  if (id === null) return stale(ctx);
  await ctx.services.feedback.checkCanReply(ctx.user.id, id);
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await replyForm.start(ctx, { itemId: id });
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.close), requireAdmin, withAppErrors(async (ctx) => {
  const id = itemIdFrom(ctx, INBOX_ACTIONS.close);
  if (id === null) return stale(ctx);
  await ctx.services.feedback.close(ctx.user.id, id);
  await ctx.editMessageReplyMarkup(itemKeyboard(ctx, { id, status: 'CLOSED' })).catch(() => {});
  await ctx.answerCbQuery();
  await send(ctx, ctx.t('feedback.item.closed_done', { id: digits(ctx, id) }));
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.reopen), requireAdmin, withAppErrors(async (ctx) => {
  const id = itemIdFrom(ctx, INBOX_ACTIONS.reopen);
  if (id === null) return stale(ctx);
  await ctx.services.feedback.reopen(ctx.user.id, id);
  await ctx.editMessageReplyMarkup(itemKeyboard(ctx, { id, status: 'RECEIVED' })).catch(() => {});
  await ctx.answerCbQuery();
  await send(ctx, ctx.t('feedback.item.reopened_done', { id: digits(ctx, id) }));
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.assignMenu), requireAdmin, withAppErrors(async (ctx) => {
  const id = itemIdFrom(ctx, INBOX_ACTIONS.assignMenu);
  if (id === null) return stale(ctx);
  const admins = await ctx.services.feedback.assignees(ctx.user.id, id);
  const rows = admins.map((a) => [
    Markup.button.callback(`${a.current ? '✅ ' : ''}${a.name}`, callbackData(INBOX_ACTIONS.assign, `${id}-${a.id}`)),
  ]);
  await ctx.answerCbQuery();
  await send(ctx, ctx.t('feedback.item.choose_assignee', { id: digits(ctx, id) }), { inline_keyboard: rows });
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.assign), requireAdmin, withAppErrors(async (ctx) => {
  const match = /^([1-9]\d{0,8})-([1-9]\d{0,15})$/.exec(argOf(ctx, INBOX_ACTIONS.assign) ?? '');
  if (!match) return stale(ctx);
  const id = Number(match[1]);
  const { name } = await ctx.services.feedback.assign(ctx.user.id, id, BigInt(match[2]!));
  await editOrSend(ctx, ctx.t('feedback.item.assigned_done', { id: digits(ctx, id), name: escapeHtml(name) }));
  await ctx.answerCbQuery();
}));

// ---- settings -----------------------------------------------------------------------------------------

async function settingsView(ctx: BotContext): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const digest = await ctx.services.feedback.digestSetting(ctx.user.id);
  const mark = (on: boolean) => (on ? '✅ ' : '');
  return {
    text: ctx.t('feedback.settings.text', { current: ctx.t(digest ? 'feedback.settings.digest' : 'feedback.settings.immediate') }),
    keyboard: {
      inline_keyboard: [
        [Markup.button.callback(`${mark(!digest)}${ctx.t('feedback.settings.immediate_button')}`, callbackData(INBOX_ACTIONS.settings, 'now'))],
        [Markup.button.callback(`${mark(digest)}${ctx.t('feedback.settings.digest_button')}`, callbackData(INBOX_ACTIONS.settings, 'digest'))],
      ],
    },
  };
}

inboxFeature.command('feedback_settings', requireAdmin, withAppErrors(async (ctx) => {
  const { text, keyboard } = await settingsView(ctx);
  await send(ctx, text, keyboard);
}));

inboxFeature.action(actionTrigger(INBOX_ACTIONS.settings), requireAdmin, withAppErrors(async (ctx) => {
  const arg = argOf(ctx, INBOX_ACTIONS.settings);
  if (arg !== 'now' && arg !== 'digest') return stale(ctx);
  await ctx.services.feedback.setDigest(ctx.user.id, arg === 'digest');
  const { text, keyboard } = await settingsView(ctx);
  await editOrSend(ctx, text, keyboard);
  await ctx.answerCbQuery(ctx.t('feedback.settings.saved'));
}));
