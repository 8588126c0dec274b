/**
 * Training needs: an approved NGO's member declares a need (/request_course), sees and withdraws the
 * NGO's open requests (/my_requests); admins read the demand by topic and county (/needs) and drill
 * down to the requesting NGOs. The service decides; this layer asks, validates and shows.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import {
  NEED_DESCRIPTION_LIMITS,
  OTHER_TOPIC_LIMITS,
  MAX_NEED_PARTICIPANTS,
  validateNeedDescription,
  validateNeedParticipants,
  validateOtherTopic,
  FORMATS,
  isFormat,
  type TrainingFormat,
} from './rules.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { DemandGroup } from './needs-service.js';
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from '../staff/index.js';
import { end, FormRunner, goto, next, stay, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { dropButtons, editOrSend, rowsOf, send, shorten, staleButton } from '../../platform/bot/ui.js';
import { mainMenu } from '../start/index.js';
import { pickedTopic, replyRefusal, topicKeyboard } from './form-steps.js';
import { demandDetailText, demandText, needLine, needSummary, topicLabel } from './needs-notices.js';
import { Handlers } from '../../platform/bot/handlers.js';

const needButtons = {
  withdraw: callbackAction('need_wd', ARG.id),
  /** a topic (t<id>, `to` for other topics), a county (c<id>), or back to the whole demand */
  drill: callbackAction('need_dd', /^(?:t[1-9]\d{0,8}|to|c[1-9]\d{0,8}|all)$/),
};

// ---- the request form --------------------------------------------------------------------------------

interface NeedData {
  topicId?: number | null;
  topicName?: string;
  otherTopic?: string | null;
  description?: string;
  participants?: number;
  format?: TrainingFormat;
}

type Step = FormStep<NeedData>;
const cb = (step: string, arg: string) => needForm.callbackData(step, arg);

const topicStep: Step = {
  id: 'topic',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    const keyboard = await topicKeyboard(ctx, (arg) => cb('topic', arg), { labelKey: 'courses.need.other_topic_button', arg: 'other' });
    await ctx.reply(ctx.t('courses.need.ask_topic'), { parse_mode: 'HTML', reply_markup: keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg === 'other') {
      data.topicId = null;
      await dropButtons(ctx);
      return goto('other');
    }
    const topic = await pickedTopic(ctx, arg);
    if (!topic) return stay;
    data.topicId = topic.id;
    data.topicName = topic.name;
    data.otherTopic = null;
    await dropButtons(ctx);
    return goto('description');
  },
};

const otherStep: Step = {
  id: 'other',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.need.ask_other', { min: ctx.fmt.digits(OTHER_TOPIC_LIMITS.min), max: ctx.fmt.digits(OTHER_TOPIC_LIMITS.max) }), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const other = validateOtherTopic(text);
    if (!other.ok) {
      await ctx.reply(ctx.t('courses.need.errors.other', { min: ctx.fmt.digits(OTHER_TOPIC_LIMITS.min), max: ctx.fmt.digits(OTHER_TOPIC_LIMITS.max) }));
      return stay;
    }
    data.otherTopic = other.value;
    data.topicName = other.value;
    return next;
  },
};

const descriptionStep: Step = {
  id: 'description',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.need.ask_description', { min: ctx.fmt.digits(NEED_DESCRIPTION_LIMITS.min), max: ctx.fmt.digits(NEED_DESCRIPTION_LIMITS.max) }), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const description = validateNeedDescription(text);
    if (!description.ok) {
      await ctx.reply(ctx.t('courses.need.errors.description', { min: ctx.fmt.digits(NEED_DESCRIPTION_LIMITS.min), max: ctx.fmt.digits(NEED_DESCRIPTION_LIMITS.max) }));
      return stay;
    }
    data.description = description.value;
    return next;
  },
};

const participantsStep: Step = {
  id: 'participants',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.need.ask_participants', { max: ctx.fmt.digits(MAX_NEED_PARTICIPANTS) }), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const participants = validateNeedParticipants(text);
    if (!participants.ok) {
      await ctx.reply(ctx.t(`courses.need.errors.participants_${participants.error}`, { max: ctx.fmt.digits(MAX_NEED_PARTICIPANTS) }));
      return stay;
    }
    data.participants = participants.value;
    return next;
  },
};

const formatStep: Step = {
  id: 'format',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    await ctx.reply(
      ctx.t('courses.need.ask_format'),
      Markup.inlineKeyboard([FORMATS.map((f) => Markup.button.callback(ctx.t(`courses.format.${f}`), cb('format', f)))]),
    );
  },
  onCallback: async (ctx, arg, data) => {
    if (!isFormat(arg)) return stay;
    data.format = arg;
    await dropButtons(ctx);
    return next;
  },
};

const confirmStep: Step = {
  id: 'confirm',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    await ctx.reply(needSummary(ctx, data), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [Markup.button.callback(ctx.t('courses.need.confirm_button'), cb('confirm', 'yes')), Markup.button.callback(ctx.t('courses.need.cancel_button'), cb('confirm', 'no'))],
      ]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    await dropButtons(ctx);
    if (arg !== 'yes') {
      await ctx.reply(ctx.t('courses.need.cancelled'), mainMenu(ctx));
      return end;
    }
    try {
      const need = await ctx.services.training.requestTraining(ctx.user.id, {
        topicId: data.topicId ?? null,
        otherTopic: data.otherTopic ?? null,
        description: data.description ?? '',
        participants: data.participants ?? NaN,
        format: isFormat(data.format) ? data.format : 'IN_PERSON',
      });
      await ctx.reply(ctx.t('courses.need.submitted', { id: ctx.fmt.digits(need.id), topic: escapeHtml(need.topic) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
    } catch (err) {
      await replyRefusal(ctx, err, { endForm: true });
    }
    return end;
  },
};

export const needForm: FormRunner<NeedData> = new FormRunner<NeedData>({
  name: 'training_need',
  titleKey: 'courses.need.title',
  prefix: 'tneed',
  steps: [topicStep, otherStep, descriptionStep, participantsStep, formatStep, confirmStep],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

/** Only members of approved NGOs: anyone else learns why before the first question. */
export async function startNeedRequest(ctx: BotContext): Promise<void> {
  await ctx.services.training.assertCanRequest(ctx.user.id);
  await ctx.reply(ctx.t('courses.need.intro'));
  await needForm.start(ctx);
}

// ---- the NGO's open requests ---------------------------------------------------------------------------

async function myRequestsView(ctx: BotContext): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const needs = await ctx.services.training.openNeeds(ctx.user.id);
  if (needs.length === 0) return { text: ctx.t('courses.need.none_open') };
  const keyboard = Markup.inlineKeyboard(
    needs.map((n) => [Markup.button.callback(ctx.t('courses.need.withdraw_button', { id: ctx.fmt.digits(n.id) }), needButtons.withdraw.data(n.id))]),
  ).reply_markup;
  return { text: [ctx.t('courses.need.open_title'), '', ...needs.map((n) => needLine(ctx, n))].join('\n\n'), keyboard };
}

export async function showMyRequests(ctx: BotContext): Promise<void> {
  const { text, keyboard } = await myRequestsView(ctx);
  await send(ctx, text, keyboard);
}

// ---- demand (admins) -----------------------------------------------------------------------------------

async function demandView(ctx: BotContext): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const demand = await ctx.services.training.demand(ctx.user.id);
  if (demand.totals.requests === 0) return { text: ctx.t('courses.demand.empty') };
  const text = demandText(ctx, demand);
  const buttons: InlineKeyboardButton[] = [
    ...demand.byTopic.map((r) =>
      Markup.button.callback(`📚 ${shorten(topicLabel(ctx, r.key), 28)}`, needButtons.drill.data(r.key.topicId === null ? 'to' : `t${r.key.topicId}`)),
    ),
    ...demand.byCounty.map((r) => Markup.button.callback(`📍 ${shorten(r.key.name, 28)}`, needButtons.drill.data(`c${r.key.countyId}`))),
  ];
  return { text, keyboard: Markup.inlineKeyboard(rowsOf(buttons, 2)).reply_markup };
}

function groupOf(arg: string): DemandGroup | null {
  if (arg === 'to') return { kind: 'topic', topicId: null };
  const id = Number(arg.slice(1));
  if (arg.startsWith('t')) return { kind: 'topic', topicId: id };
  if (arg.startsWith('c')) return { kind: 'county', countyId: id };
  return null;
}

async function drillView(ctx: BotContext, group: DemandGroup): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const detail = await ctx.services.training.demandDetail(ctx.user.id, group);
  return {
    text: demandDetailText(ctx, group, detail),
    keyboard: Markup.inlineKeyboard([[Markup.button.callback(ctx.t('courses.demand.back_button'), needButtons.drill.data('all'))]]).reply_markup,
  };
}

export async function showDemand(ctx: BotContext): Promise<void> {
  const { text, keyboard } = await demandView(ctx);
  await send(ctx, text, keyboard);
}

// ---- handlers --------------------------------------------------------------------------------------------

export const trainingNeedsFeature = new Handlers<BotContext>();

trainingNeedsFeature.command('request_course', startNeedRequest);
trainingNeedsFeature.command('my_requests', showMyRequests);
trainingNeedsFeature.command('needs', requireAdmin, showDemand);

trainingNeedsFeature.action(needButtons.withdraw.trigger, async (ctx) => {
  const [needId] = needButtons.withdraw.parse(ctx) ?? [];
  if (!needId) return staleButton(ctx);
  const need = await ctx.services.training.withdraw(ctx.user.id, Number(needId));
  await ctx.answerCbQuery(ctx.t('courses.need.withdrawn', { id: ctx.fmt.digits(need.id) }));
  const { text, keyboard } = await myRequestsView(ctx);
  await editOrSend(ctx, `${ctx.t('courses.need.withdrawn', { id: ctx.fmt.digits(need.id) })}\n\n${text}`, keyboard);
});

trainingNeedsFeature.action(needButtons.drill.trigger, requireAdmin, async (ctx) => {
  const [arg] = needButtons.drill.parse(ctx) ?? [];
  if (!arg) return staleButton(ctx);
  const group = groupOf(arg);
  const { text, keyboard } = group ? await drillView(ctx, group) : await demandView(ctx);
  await editOrSend(ctx, text, keyboard);
});
