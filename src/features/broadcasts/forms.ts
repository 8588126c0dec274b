/**
 * The compose form of /broadcast: the message itself, the audience, a preview copied back from the
 * very message that will be copied to everyone, then send now or schedule. The form collects choices;
 * the service records, fans out and reports. `staffOnly` re-checks the role on every answer, since an
 * admin may lose the role while the form is open.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, goto, next, stay, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { dropButtons, editOrSend, refusalText, rowsOf, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { parseJalaliDate, parseJalaliDateTime } from '../../platform/text/jalali.js';
import { staffOnly } from '../staff/index.js';
import { mainMenu } from '../start/index.js';
import {
  DEFAULT_AUDIENCE,
  isDefaultAudience,
  OPTIONAL_STATUSES,
  parseAudience,
  toggleCounty,
  toggleField,
  toggleStatus,
  type Audience,
} from './audience.js';
import {
  audienceCardText,
  previewText,
  scheduledText,
  sentNowText,
  type AudienceFacts,
  type AudienceView,
  type ReferenceLists,
} from './notices.js';
import { takeMessageSource, type MessageSource } from './content-kind.js';


/** What the form keeps in the session between answers. */
export interface ComposeData extends MessageSource {
  audience: Audience;
  urgent: boolean;
  /** 'jy/jm/jd', between the date step and the time step. */
  scheduleDate?: string;
}

type ComposeStep = FormStep<ComposeData>;

const ID_ARG = /^([cf])([1-9]\d{0,8})$/;
const STATUS_ARG = /^st_([A-Z]+)$/;

/** The session is JSON from Redis or the database: the audience is read back through its parser. */
function audienceOf(data: ComposeData): Audience {
  return parseAudience(data.audience ?? DEFAULT_AUDIENCE);
}

// ---- audience ---------------------------------------------------------------------------------------

const countyScoped = (ctx: BotContext) => ctx.user.role === 'COUNTY_ADMIN';

async function audienceFacts(ctx: BotContext, audience: Audience, lists?: ReferenceLists): Promise<AudienceFacts> {
  return {
    audience,
    countyScoped: countyScoped(ctx),
    lists: lists ?? (await ctx.services.ngos.referenceLists()),
    count: await ctx.services.broadcasts.countAudience(ctx.user.id, audience),
  };
}

const check = (on: boolean) => (on ? '✅ ' : '⬜ ');

function audienceKeyboard(ctx: BotContext, view: AudienceView, facts: AudienceFacts): InlineKeyboardMarkup {
  const { audience, lists } = facts;
  const button = (text: string, arg: string) => Markup.button.callback(text, broadcastForm.callbackData('audience', arg));
  if (view !== 'main') {
    const [list, chosen, letter, perRow] = view === 'counties' ? [lists.counties, audience.countyIds, 'c', 3] : [lists.fields, audience.fieldIds, 'f', 2];
    return Markup.inlineKeyboard([
      ...rowsOf(
        list.map((x) => button(`${chosen.includes(x.id) ? '✅ ' : ''}${x.name}`, `${letter}${x.id}`)),
        perRow,
      ),
      [button(ctx.t('broadcast.compose.clear_button'), view === 'counties' ? 'clear_c' : 'clear_f'), button(ctx.t('broadcast.compose.back_to_audience'), 'main')],
    ]).reply_markup;
  }
  const all = ctx.t('broadcast.compose.all_short');
  const chosenCount = (ids: number[]) => (ids.length ? ctx.fmt.digits(ids.length) : all);
  const filters = [button(ctx.t('broadcast.compose.fields_button', { value: chosenCount(audience.fieldIds) }), 'fields')];
  if (!facts.countyScoped) filters.unshift(button(ctx.t('broadcast.compose.counties_button', { value: chosenCount(audience.countyIds) }), 'counties'));
  const rows: InlineKeyboardButton[][] = [
    [button(`${check(isDefaultAudience(audience))}${ctx.t('broadcast.compose.all_button')}`, 'all')],
    filters,
    [
      button(`${check(audience.statuses.includes('PENDING'))}${ctx.t('broadcast.compose.pending_button')}`, 'st_PENDING'),
      button(`${check(audience.statuses.includes('SUSPENDED'))}${ctx.t('broadcast.compose.suspended_button')}`, 'st_SUSPENDED'),
    ],
    [button(`${check(audience.managersOnly)}${ctx.t('broadcast.compose.managers_button')}`, 'mgr')],
    [button(ctx.t('broadcast.compose.continue_button'), 'done')],
  ];
  return Markup.inlineKeyboard(rows).reply_markup;
}

/**
 * Applies one audience button; null when the argument is not one this keyboard could have sent (a
 * county for a county admin, an id no longer listed).
 */
function applyAudienceArg(
  audience: Audience,
  arg: string,
  scope: { countyScoped: boolean; lists: ReferenceLists },
): { audience: Audience; view: AudienceView } | null {
  switch (arg) {
    case 'all':
      return { audience: { ...DEFAULT_AUDIENCE }, view: 'main' };
    case 'main':
      return { audience, view: 'main' };
    case 'counties':
      return scope.countyScoped ? null : { audience, view: 'counties' };
    case 'fields':
      return { audience, view: 'fields' };
    case 'clear_c':
      return { audience: { ...audience, countyIds: [] }, view: 'counties' };
    case 'clear_f':
      return { audience: { ...audience, fieldIds: [] }, view: 'fields' };
    case 'mgr':
      return { audience: { ...audience, managersOnly: !audience.managersOnly }, view: 'main' };
  }
  const status = STATUS_ARG.exec(arg)?.[1];
  if (status !== undefined) {
    const s = OPTIONAL_STATUSES.find((x) => x === status);
    return s ? { audience: toggleStatus(audience, s), view: 'main' } : null;
  }
  const match = ID_ARG.exec(arg);
  if (!match) return null;
  const id = Number(match[2]);
  if (match[1] === 'c') {
    if (scope.countyScoped || !scope.lists.counties.some((c) => c.id === id)) return null;
    return { audience: toggleCounty(audience, id), view: 'counties' };
  }
  if (!scope.lists.fields.some((f) => f.id === id)) return null;
  return { audience: toggleField(audience, id), view: 'fields' };
}

/** "No one matches": a broadcast is never started or scheduled for an empty audience. */
async function hasRecipients(ctx: BotContext, audience: Audience): Promise<boolean> {
  return (await ctx.services.broadcasts.countAudience(ctx.user.id, audience)) > 0;
}

// ---- steps ------------------------------------------------------------------------------------------

const messageStep: ComposeStep = {
  id: 'message',
  wrongInputKey: 'broadcast.compose.unsupported_kind',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('broadcast.compose.ask_message'), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
  },
  onMessage: async (ctx, message, data) => {
    if (!(await takeMessageSource(ctx, message, data, 'broadcast.compose.unsupported_kind'))) return stay;
    data.audience ??= { ...DEFAULT_AUDIENCE };
    data.urgent ??= false;
    return next;
  },
};

const audienceStep: ComposeStep = {
  id: 'audience',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const facts = await audienceFacts(ctx, audienceOf(data));
    await ctx.reply(audienceCardText(ctx, 'main', facts), { parse_mode: 'HTML', reply_markup: audienceKeyboard(ctx, 'main', facts) });
  },
  onCallback: async (ctx, arg, data) => {
    const audience = audienceOf(data);
    if (arg === 'done') {
      if (await hasRecipients(ctx, audience)) {
        await dropButtons(ctx);
        return next;
      }
      await ctx.answerCbQuery(ctx.t('broadcast.compose.no_recipients'), { show_alert: true });
      return stay;
    }
    const lists = await ctx.services.ngos.referenceLists();
    const applied = applyAudienceArg(audience, arg, { countyScoped: countyScoped(ctx), lists });
    if (!applied) {
      await staleButton(ctx);
      return stay;
    }
    data.audience = applied.audience;
    const facts = await audienceFacts(ctx, applied.audience, lists);
    await editOrSend(ctx, audienceCardText(ctx, applied.view, facts), audienceKeyboard(ctx, applied.view, facts));
    return stay;
  },
};

function previewKeyboard(ctx: BotContext, urgent: boolean): InlineKeyboardMarkup {
  const button = (key: string, arg: string, prefix = '') => Markup.button.callback(`${prefix}${ctx.t(key)}`, broadcastForm.callbackData('preview', arg));
  return Markup.inlineKeyboard([
    [button('broadcast.compose.send_now_button', 'send'), button('broadcast.compose.schedule_button', 'schedule')],
    [button('broadcast.compose.urgent_button', 'urgent', check(urgent))],
    [button('broadcast.compose.edit_audience_button', 'audience'), button('broadcast.compose.cancel_button', 'cancel')],
  ]).reply_markup;
}

async function createBroadcast(ctx: BotContext, data: ComposeData, scheduledAt?: Date) {
  return ctx.services.broadcasts.create(ctx.user.id, {
    sourceChatId: BigInt(data.sourceChatId ?? 0),
    sourceMessageId: Number(data.sourceMessageId),
    contentKind: data.contentKind ?? 'text',
    audience: audienceOf(data),
    urgent: data.urgent === true,
    ...(scheduledAt ? { scheduledAt } : {}),
  });
}

const previewStep: ComposeStep = {
  id: 'preview',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    try {
      // The copy comes from the same message every recipient will get, so the preview cannot differ.
      await ctx.telegram.copyMessage(ctx.chat!.id, Number(data.sourceChatId), Number(data.sourceMessageId));
    } catch (err) {
      ctx.log.warn({ err }, 'could not copy the broadcast back for its preview');
      // A message that cannot be copied to the admin cannot be copied to anyone: nothing is left to confirm.
      ctx.session.form = undefined;
      await ctx.reply(ctx.t('broadcast.compose.preview_failed'), mainMenu(ctx));
      return;
    }
    const urgent = data.urgent === true;
    await ctx.reply(previewText(ctx, await audienceFacts(ctx, audienceOf(data)), urgent), { parse_mode: 'HTML', reply_markup: previewKeyboard(ctx, urgent) });
  },
  onCallback: async (ctx, arg, data) => {
    switch (arg) {
      case 'urgent': {
        data.urgent = data.urgent !== true;
        await editOrSend(ctx, previewText(ctx, await audienceFacts(ctx, audienceOf(data)), data.urgent), previewKeyboard(ctx, data.urgent));
        return stay;
      }
      case 'schedule':
        await dropButtons(ctx);
        return goto('date');
      case 'audience':
        await dropButtons(ctx);
        return goto('audience');
      case 'cancel':
        await dropButtons(ctx);
        await ctx.reply(ctx.t('broadcast.compose.cancelled'), mainMenu(ctx));
        return end;
      case 'send': {
        // The audience may have changed since the preview (an NGO suspended): never start an empty broadcast.
        if (!(await hasRecipients(ctx, audienceOf(data)))) {
          await ctx.answerCbQuery(ctx.t('broadcast.compose.no_recipients'), { show_alert: true });
          return stay;
        }
        const b = await createBroadcast(ctx, data);
        await dropButtons(ctx);
        await ctx.reply(sentNowText(ctx, b), mainMenu(ctx));
        return end;
      }
      default:
        return stay;
    }
  },
};

const dateStep: ComposeStep = {
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

const timeStep: ComposeStep = {
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
    if (!(await hasRecipients(ctx, audienceOf(data)))) {
      await ctx.reply(ctx.t('broadcast.compose.no_recipients'));
      return goto('audience');
    }
    try {
      const b = await createBroadcast(ctx, data, parsed.value);
      await ctx.reply(scheduledText(ctx, b), mainMenu(ctx));
      return end;
    } catch (err) {
      // "Past" is judged by the service's clock, the same one that starts the broadcast.
      if (!(err instanceof AppError && err.code === 'broadcast.errors.past')) throw err;
      await ctx.reply(refusalText(ctx, err));
      return goto('date');
    }
  },
};

export const broadcastForm = new FormRunner<ComposeData>({
  name: 'broadcast',
  titleKey: 'broadcast.compose.title',
  prefix: 'bcast',
  steps: [messageStep, audienceStep, previewStep, dateStep, timeStep],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
  guard: staffOnly,
});

export async function startCompose(ctx: BotContext): Promise<void> {
  await broadcastForm.start(ctx, { audience: { ...DEFAULT_AUDIENCE }, urgent: false });
}
