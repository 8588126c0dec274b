/**
 * Announcements to NGO members, composed by an admin: the message itself, the audience, a preview
 * copied back from the very message that will be copied to everyone, then send now or schedule.
 * The service records, fans out and reports; this layer collects choices and re-checks the role on
 * every step and button, since an admin may lose the role while a form is open.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message } from 'telegraf/types';
import { parseJalaliDate, parseJalaliDateTime } from '../../platform/text/jalali.js';
import { toPersianDigits } from '../../platform/text/index.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { AppError } from '../../platform/errors.js';
import { DEFAULT_AUDIENCE, parseAudience, type Audience } from './service.js';
import { actionTrigger, callbackData, parseCallbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from '../staff/guards.js';
import { end, FormRunner, goto, next, stay, type FormData, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { mainMenu } from '../start/keyboards.js';

const PREFIX = 'bcast';
export const CANCEL_ACTION = 'bc_cancel';
const BROADCAST_ID = /^[1-9]\d{0,8}$/;
const ID_ARG = /^([cf])([1-9]\d{0,8})$/;
const OPTIONAL_STATUSES = ['PENDING', 'SUSPENDED'] as const;

type ContentKind = 'text' | 'photo' | 'document' | 'video';
type AudienceView = 'main' | 'counties' | 'fields';

const cb = (step: string, arg: string) => `${PREFIX}:${step}.${arg}`;
const num = (ctx: BotContext, n: number) => (ctx.lang === 'fa' ? toPersianDigits(n) : String(n));

// ---- form data ------------------------------------------------------------------------------------

interface Draft {
  sourceChatId: number;
  sourceMessageId: number;
  contentKind: ContentKind;
  audience: Audience;
  urgent: boolean;
}

/** The session is JSON from Redis or the database: read it back through the service's own parser. */
function draftOf(data: FormData): Draft {
  return {
    sourceChatId: Number(data.sourceChatId),
    sourceMessageId: Number(data.sourceMessageId),
    contentKind: data.contentKind as ContentKind,
    audience: parseAudience(data.audience ?? DEFAULT_AUDIENCE),
    urgent: data.urgent === true,
  };
}

function contentKindOf(message: Message): ContentKind | null {
  if ('text' in message) return 'text';
  if ('photo' in message) return 'photo';
  // An animation message also carries `document`; it plays as a video, so it is listed as one.
  if ('animation' in message || 'video' in message) return 'video';
  if ('document' in message) return 'document';
  return null;
}

// ---- role check on every answer ---------------------------------------------------------------------

async function stillAdmin(ctx: BotContext): Promise<boolean> {
  const role = await ctx.services.admins.roleOf(ctx.user.id);
  if (role) return true;
  ctx.log.info({ userId: String(ctx.user.id) }, 'refused a broadcast step from a user who is no longer an admin');
  if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.not_admin'), { show_alert: true });
  await ctx.reply(ctx.t('common.errors.not_admin'), mainMenu(ctx));
  return false;
}

/** The form router bypasses requireAdmin, so each answer to a step checks the role itself. */
function guarded(step: FormStep): FormStep {
  const wrap =
    <A extends unknown[]>(handler: ((ctx: BotContext, ...args: A) => Promise<StepOutcome>) | undefined) =>
    handler &&
    (async (ctx: BotContext, ...args: A): Promise<StepOutcome> => ((await stillAdmin(ctx)) ? handler(ctx, ...args) : end));
  return {
    ...step,
    onText: wrap(step.onText),
    onCallback: wrap(step.onCallback),
    onMessage: wrap(step.onMessage),
  };
}

// ---- audience -------------------------------------------------------------------------------------

async function audienceSummary(ctx: BotContext, audience: Audience, countyScoped: boolean): Promise<string> {
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const sep = ctx.t('broadcast.compose.list_separator');
  const names = (list: { id: number; name: string }[], ids: number[]) =>
    list
      .filter((x) => ids.includes(x.id))
      .map((x) => escapeHtml(x.name))
      .join(sep);
  const lines = [
    countyScoped
      ? ctx.t('broadcast.compose.county_admin_note')
      : ctx.t('broadcast.compose.summary_counties', {
          value: audience.countyIds.length ? names(counties, audience.countyIds) : ctx.t('broadcast.compose.all_counties'),
        }),
    ctx.t('broadcast.compose.summary_fields', {
      value: audience.fieldIds.length ? names(fields, audience.fieldIds) : ctx.t('broadcast.compose.all_fields'),
    }),
    ctx.t('broadcast.compose.summary_statuses', {
      value: audience.statuses.map((s) => ctx.t(`broadcast.compose.status.${s}`)).join(sep),
    }),
    ctx.t('broadcast.compose.summary_role', {
      value: ctx.t(audience.managersOnly ? 'broadcast.compose.role_managers' : 'broadcast.compose.role_all'),
    }),
  ];
  return lines.join('\n');
}

async function isCountyAdmin(ctx: BotContext): Promise<boolean> {
  return (await ctx.services.admins.roleOf(ctx.user.id)) === 'COUNTY_ADMIN';
}

async function audienceText(ctx: BotContext, audience: Audience, view: AudienceView, countyScoped: boolean, count: number): Promise<string> {
  const title = ctx.t(view === 'counties' ? 'broadcast.compose.counties_title' : view === 'fields' ? 'broadcast.compose.fields_title' : 'broadcast.compose.audience_title');
  return [title, '', await audienceSummary(ctx, audience, countyScoped), '', ctx.t('broadcast.compose.recipients', { n: num(ctx, count) })].join('\n');
}

function rowsOf(buttons: InlineKeyboardButton[], perRow: number): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

const check = (on: boolean) => (on ? '✅ ' : '⬜ ');

function isDefault(a: Audience): boolean {
  return !a.countyIds.length && !a.fieldIds.length && !a.managersOnly && a.statuses.length === 1 && a.statuses[0] === 'APPROVED';
}

async function audienceKeyboard(ctx: BotContext, audience: Audience, view: AudienceView, countyScoped: boolean): Promise<InlineKeyboardMarkup> {
  const button = (text: string, arg: string) => Markup.button.callback(text, cb('audience', arg));
  if (view !== 'main') {
    const { counties, fields } = await ctx.services.ngos.referenceLists();
    const [list, chosen, letter, perRow] = view === 'counties' ? [counties, audience.countyIds, 'c', 3] : [fields, audience.fieldIds, 'f', 2];
    return Markup.inlineKeyboard([
      ...rowsOf(
        list.map((x) => button(`${chosen.includes(x.id) ? '✅ ' : ''}${x.name}`, `${letter}${x.id}`)),
        perRow,
      ),
      [button(ctx.t('broadcast.compose.clear_button'), view === 'counties' ? 'clear_c' : 'clear_f'), button(ctx.t('broadcast.compose.back_to_audience'), 'main')],
    ]).reply_markup;
  }
  const all = ctx.t('broadcast.compose.all_short');
  const rows: InlineKeyboardButton[][] = [[button(`${check(isDefault(audience))}${ctx.t('broadcast.compose.all_button')}`, 'all')]];
  const filters = [button(ctx.t('broadcast.compose.fields_button', { value: audience.fieldIds.length ? num(ctx, audience.fieldIds.length) : all }), 'fields')];
  if (!countyScoped) {
    filters.unshift(button(ctx.t('broadcast.compose.counties_button', { value: audience.countyIds.length ? num(ctx, audience.countyIds.length) : all }), 'counties'));
  }
  rows.push(filters);
  rows.push([
    button(`${check(audience.statuses.includes('PENDING'))}${ctx.t('broadcast.compose.pending_button')}`, 'st_PENDING'),
    button(`${check(audience.statuses.includes('SUSPENDED'))}${ctx.t('broadcast.compose.suspended_button')}`, 'st_SUSPENDED'),
  ]);
  rows.push([button(`${check(audience.managersOnly)}${ctx.t('broadcast.compose.managers_button')}`, 'mgr')]);
  rows.push([button(ctx.t('broadcast.compose.continue_button'), 'done')]);
  return Markup.inlineKeyboard(rows).reply_markup;
}

async function audienceView(ctx: BotContext, audience: Audience, view: AudienceView) {
  const countyScoped = await isCountyAdmin(ctx);
  const count = await ctx.services.broadcasts.countAudience(ctx.user.id, audience);
  return {
    text: await audienceText(ctx, audience, view, countyScoped, count),
    keyboard: await audienceKeyboard(ctx, audience, view, countyScoped),
  };
}

function isNotModified(err: unknown): boolean {
  return String((err as { description?: unknown })?.description ?? '').includes('message is not modified');
}

/** Redraws the message the button was on; a message that can no longer be edited gets a fresh copy. */
async function redraw(ctx: BotContext, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  const extra = { parse_mode: 'HTML' as const, ...(keyboard ? { reply_markup: keyboard } : {}) };
  try {
    await ctx.editMessageText(text, extra);
  } catch (err) {
    if (isNotModified(err)) return;
    ctx.log.warn({ err }, 'could not edit a broadcast message; sending it again');
    await ctx.reply(text, extra);
  }
}

/** Applies one audience button; null when the argument is not one this keyboard could have sent. */
async function applyAudienceArg(ctx: BotContext, audience: Audience, arg: string): Promise<{ audience: Audience; view: AudienceView } | null> {
  const toggle = (ids: number[], id: number) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
  switch (arg) {
    case 'all':
      return { audience: { ...DEFAULT_AUDIENCE }, view: 'main' };
    case 'main':
      return { audience, view: 'main' };
    case 'counties':
      return (await isCountyAdmin(ctx)) ? null : { audience, view: 'counties' };
    case 'fields':
      return { audience, view: 'fields' };
    case 'clear_c':
      return { audience: { ...audience, countyIds: [] }, view: 'counties' };
    case 'clear_f':
      return { audience: { ...audience, fieldIds: [] }, view: 'fields' };
    case 'mgr':
      return { audience: { ...audience, managersOnly: !audience.managersOnly }, view: 'main' };
  }
  const status = /^st_([A-Z]+)$/.exec(arg)?.[1];
  if (status !== undefined) {
    const s = OPTIONAL_STATUSES.find((x) => x === status);
    if (!s) return null;
    const statuses = audience.statuses.includes(s) ? audience.statuses.filter((x) => x !== s) : [...audience.statuses, s];
    return { audience: { ...audience, statuses }, view: 'main' };
  }
  const match = ID_ARG.exec(arg);
  if (!match) return null;
  const id = Number(match[2]);
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  if (match[1] === 'c') {
    if (!counties.some((c) => c.id === id) || (await isCountyAdmin(ctx))) return null;
    return { audience: { ...audience, countyIds: toggle(audience.countyIds, id) }, view: 'counties' };
  }
  if (!fields.some((f) => f.id === id)) return null;
  return { audience: { ...audience, fieldIds: toggle(audience.fieldIds, id) }, view: 'fields' };
}

// ---- steps ----------------------------------------------------------------------------------------

const messageStep: FormStep = {
  id: 'message',
  wrongInputKey: 'broadcast.compose.unsupported_kind',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('broadcast.compose.ask_message'), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
  },
  onMessage: async (ctx, message, data) => {
    const kind = contentKindOf(message);
    if (!kind) {
      await ctx.reply(ctx.t('broadcast.compose.unsupported_kind'));
      return stay;
    }
    // The message is copied from the admin's chat when the broadcast starts, so only where it is is kept.
    data.sourceChatId = message.chat.id;
    data.sourceMessageId = message.message_id;
    data.contentKind = kind;
    data.audience ??= { ...DEFAULT_AUDIENCE };
    data.urgent ??= false;
    return next;
  },
};

const audienceStep: FormStep = {
  id: 'audience',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const { text, keyboard } = await audienceView(ctx, draftOf(data).audience, 'main');
    await ctx.reply(text, { parse_mode: 'HTML', reply_markup: keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    const audience = draftOf(data).audience;
    if (arg === 'done') {
      if ((await ctx.services.broadcasts.countAudience(ctx.user.id, audience)) > 0) {
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        return next;
      }
      await ctx.answerCbQuery(ctx.t('broadcast.compose.no_recipients'), { show_alert: true });
      return stay;
    }
    const applied = await applyAudienceArg(ctx, audience, arg);
    if (!applied) {
      await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
      return stay;
    }
    data.audience = applied.audience;
    const { text, keyboard } = await audienceView(ctx, applied.audience, applied.view);
    await redraw(ctx, text, keyboard);
    return stay;
  },
};

async function previewText(ctx: BotContext, draft: Draft): Promise<string> {
  const count = await ctx.services.broadcasts.countAudience(ctx.user.id, draft.audience);
  return [
    ctx.t('broadcast.compose.preview_title'),
    '',
    await audienceSummary(ctx, draft.audience, await isCountyAdmin(ctx)),
    ctx.t('broadcast.compose.recipients', { n: num(ctx, count) }),
    '',
    ctx.t(draft.urgent ? 'broadcast.compose.urgent_on' : 'broadcast.compose.urgent_off'),
  ].join('\n');
}

function previewKeyboard(ctx: BotContext, draft: Draft): InlineKeyboardMarkup {
  const button = (key: string, arg: string, prefix = '') => Markup.button.callback(`${prefix}${ctx.t(key)}`, cb('preview', arg));
  return Markup.inlineKeyboard([
    [button('broadcast.compose.send_now_button', 'send'), button('broadcast.compose.schedule_button', 'schedule')],
    [button('broadcast.compose.urgent_button', 'urgent', check(draft.urgent))],
    [button('broadcast.compose.edit_audience_button', 'audience'), button('broadcast.compose.cancel_button', 'cancel')],
  ]).reply_markup;
}

function jalaliOf(ctx: BotContext, date: Date): string {
  return ctx.services.broadcasts.describeStart(ctx.lang, date);
}

/** Creates the broadcast; a time that has passed meanwhile is explained and the date asked again. */
async function createBroadcast(ctx: BotContext, draft: Draft, scheduledAt?: Date) {
  return ctx.services.broadcasts.create(ctx.user.id, {
    sourceChatId: BigInt(draft.sourceChatId),
    sourceMessageId: draft.sourceMessageId,
    contentKind: draft.contentKind,
    audience: draft.audience,
    urgent: draft.urgent,
    ...(scheduledAt ? { scheduledAt } : {}),
  });
}

const previewStep: FormStep = {
  id: 'preview',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const draft = draftOf(data);
    try {
      // The copy comes from the same message every recipient will get, so the preview cannot differ.
      await ctx.telegram.copyMessage(ctx.chat!.id, draft.sourceChatId, draft.sourceMessageId);
    } catch (err) {
      ctx.log.warn({ err }, 'could not copy the broadcast back for its preview');
      // A message that cannot be copied to the admin cannot be copied to anyone: nothing is left to confirm.
      ctx.session.form = undefined;
      await ctx.reply(ctx.t('broadcast.compose.preview_failed'), mainMenu(ctx));
      return;
    }
    await ctx.reply(await previewText(ctx, draft), { parse_mode: 'HTML', reply_markup: previewKeyboard(ctx, draft) });
  },
  onCallback: async (ctx, arg, data) => {
    const draft = draftOf(data);
    switch (arg) {
      case 'urgent':
        data.urgent = !draft.urgent;
        await redraw(ctx, await previewText(ctx, { ...draft, urgent: !draft.urgent }), previewKeyboard(ctx, { ...draft, urgent: !draft.urgent }));
        return stay;
      case 'schedule':
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        return goto('date');
      case 'audience':
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        return goto('audience');
      case 'cancel':
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        await ctx.reply(ctx.t('broadcast.compose.cancelled'), mainMenu(ctx));
        return end;
      case 'send': {
        // The audience may have changed since the preview (an NGO suspended): never start an empty broadcast.
        if ((await ctx.services.broadcasts.countAudience(ctx.user.id, draft.audience)) === 0) {
          await ctx.answerCbQuery(ctx.t('broadcast.compose.no_recipients'), { show_alert: true });
          return stay;
        }
        const b = await createBroadcast(ctx, draft);
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        const text =
          b.status === 'SCHEDULED'
            ? ctx.t('broadcast.compose.held_quiet', { id: num(ctx, b.id), start: jalaliOf(ctx, b.startAt) })
            : ctx.t('broadcast.compose.started', { id: num(ctx, b.id), n: num(ctx, b.recipientCount) });
        await ctx.reply(text, mainMenu(ctx));
        return end;
      }
      default:
        return stay;
    }
  },
};

const dateStep: FormStep = {
  id: 'date',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('broadcast.schedule.ask_date'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const date = parseJalaliDate(text);
    if (!date.ok) {
      await ctx.reply(ctx.t(`broadcast.schedule.errors.date_${date.error}`));
      return stay;
    }
    data.scheduleDate = `${date.value.jy}/${date.value.jm}/${date.value.jd}`;
    return next;
  },
};

const timeStep: FormStep = {
  id: 'time',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('broadcast.schedule.ask_time'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const parsed = parseJalaliDateTime(String(data.scheduleDate), text);
    if (!parsed.ok) {
      await ctx.reply(ctx.t(`broadcast.schedule.errors.${parsed.field}_${parsed.error}`));
      // A stored date that no longer parses (an old session) cannot be fixed by another time.
      return parsed.field === 'date' ? goto('date') : stay;
    }
    const draft = draftOf(data);
    if ((await ctx.services.broadcasts.countAudience(ctx.user.id, draft.audience)) === 0) {
      await ctx.reply(ctx.t('broadcast.compose.no_recipients'));
      return goto('audience');
    }
    let b;
    try {
      b = await createBroadcast(ctx, draft, parsed.value);
    } catch (err) {
      // "Past" is judged by the service's clock, the same one that starts the broadcast.
      if (err instanceof AppError && err.code === 'broadcast.errors.past') {
        await ctx.reply(ctx.t('broadcast.errors.past'));
        return goto('date');
      }
      throw err;
    }
    const moved = b.startAt.getTime() !== b.requestedAt.getTime();
    await ctx.reply(
      ctx.t(moved ? 'broadcast.compose.scheduled_moved' : 'broadcast.compose.scheduled', {
        id: num(ctx, b.id),
        requested: jalaliOf(ctx, b.requestedAt),
        start: jalaliOf(ctx, b.startAt),
      }),
      mainMenu(ctx),
    );
    return end;
  },
};

export const broadcastForm = new FormRunner({
  name: 'broadcast',
  titleKey: 'broadcast.compose.title',
  prefix: PREFIX,
  steps: [messageStep, audienceStep, previewStep, dateStep, timeStep].map(guarded),
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- list and cancel ------------------------------------------------------------------------------

async function listView(ctx: BotContext): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const rows = await ctx.services.broadcasts.list(ctx.user.id);
  const title = `<b>${ctx.t('broadcast.list.title')}</b>`;
  if (rows.length === 0) return { text: `${title}\n\n${ctx.t('broadcast.list.empty')}` };
  const items = rows.map((b) =>
    ctx.t('broadcast.list.item', {
      id: num(ctx, b.id),
      kind: ctx.t(`broadcast.list.kind.${b.contentKind}`, { defaultValue: escapeHtml(b.contentKind) }),
      status: ctx.t(`broadcast.list.status.${b.status}`),
      urgent: b.urgent ? ctx.t('broadcast.list.urgent') : '',
      when:
        b.status === 'SCHEDULED' || !b.startedAt
          ? ctx.t('broadcast.list.starts_at', { date: jalaliOf(ctx, b.startAt) })
          : ctx.t('broadcast.list.started_at', { date: jalaliOf(ctx, b.startedAt) }),
      total: num(ctx, b.recipientCount),
      sent: num(ctx, b.counts.sent),
      failed: num(ctx, b.counts.failed + b.counts.unreachable),
      waiting: num(ctx, b.counts.waiting),
    }),
  );
  const cancellable = rows.filter((b) => b.status === 'SCHEDULED' || b.status === 'SENDING');
  const keyboard = cancellable.length
    ? Markup.inlineKeyboard(cancellable.map((b) => [Markup.button.callback(ctx.t('broadcast.list.cancel_button', { id: num(ctx, b.id) }), callbackData(CANCEL_ACTION, b.id))]))
        .reply_markup
    : undefined;
  return { text: [title, ...items].join('\n\n'), keyboard };
}

/** The same cancel button sits under a progress card and under /broadcasts; each is redrawn its own way. */
function pressedOnList(ctx: BotContext): boolean {
  const message = ctx.callbackQuery?.message;
  const text = message && 'text' in message ? message.text : '';
  return ctx.services.translator.all('broadcast.list.title').some((title) => text.startsWith(title));
}

async function startCompose(ctx: BotContext): Promise<void> {
  await broadcastForm.start(ctx, { audience: { ...DEFAULT_AUDIENCE }, urgent: false });
}

export const broadcastFeature = new Composer<BotContext>();

broadcastFeature.command('broadcast', requireAdmin, startCompose);

broadcastFeature.command('broadcasts', requireAdmin, async (ctx) => {
  const { text, keyboard } = await listView(ctx);
  await ctx.reply(text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) });
});

broadcastFeature.action(actionTrigger(CANCEL_ACTION), requireAdmin, async (ctx) => {
  const arg = parseCallbackData(ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined, CANCEL_ACTION);
  if (arg === null || !BROADCAST_ID.test(arg)) {
    await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
    return;
  }
  const id = Number(arg);
  const onList = pressedOnList(ctx);
  try {
    await ctx.services.broadcasts.cancel(ctx.user.id, id);
  } catch (err) {
    // Finished or cancelled elsewhere: the button goes, then the error boundary says why.
    if (err instanceof AppError && err.code === 'broadcast.errors.already_finished') {
      if (onList) {
        const { text, keyboard } = await listView(ctx);
        await redraw(ctx, text, keyboard);
      } else {
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
      }
    }
    throw err;
  }
  await ctx.answerCbQuery(ctx.t('broadcast.cancel.done', { id: num(ctx, id) }));
  if (onList) {
    const { text, keyboard } = await listView(ctx);
    await redraw(ctx, text, keyboard);
  } else {
    await redraw(ctx, `${ctx.t('broadcast.card.title_cancelled', { id: num(ctx, id) })}\n${ctx.t('broadcast.cancel.report_follows')}`);
  }
});
