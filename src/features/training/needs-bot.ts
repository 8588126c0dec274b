/**
 * Training needs: an approved NGO's member declares a need (/request_course), sees and withdraws the
 * NGO's open requests (/my_requests); admins read the demand by topic and county (/needs) and drill
 * down to the requesting NGOs. The service decides; this layer asks, validates and shows.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import {
  NEED_DESCRIPTION_LIMITS,
  OTHER_TOPIC_LIMITS,
  MAX_NEED_PARTICIPANTS,
  validateNeedDescription,
  validateNeedParticipants,
  validateOtherTopic,
  type TrainingFormat,
} from './rules.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { DemandGroup, NeedView } from './needs-service.js';
import { actionTrigger, callbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from '../staff/guards.js';
import { end, FormRunner, goto, next, stay, type FormData, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { argOf, call, ID, num, redraw, replyRefusal, rowsOf, shorten, stale, when } from './bot-common.js';

export const NEED_ACTIONS = { withdraw: 'need_wd', drill: 'need_dd' } as const;
const PREFIX = 'tneed';
const DRILL_ARG = /^(?:t[1-9]\d{0,8}|to|c[1-9]\d{0,8}|all)$/;
const FORMATS: TrainingFormat[] = ['IN_PERSON', 'ONLINE'];

const cb = (step: string, arg: string) => `${PREFIX}:${step}.${arg}`;

// ---- the request form --------------------------------------------------------------------------------

function isFormat(value: unknown): value is TrainingFormat {
  return value === 'IN_PERSON' || value === 'ONLINE';
}

const topicStep: FormStep = {
  id: 'topic',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    const topics = await ctx.services.training.topics();
    const buttons = topics.map((t) => Markup.button.callback(t.name, cb('topic', `t${t.id}`)));
    buttons.push(Markup.button.callback(ctx.t('courses.need.other_topic_button'), cb('topic', 'other')));
    await ctx.reply(ctx.t('courses.need.ask_topic'), { parse_mode: 'HTML', ...Markup.inlineKeyboard(rowsOf(buttons, 2)) });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg === 'other') {
      data.topicId = null;
      await ctx.editMessageReplyMarkup(undefined).catch(() => {});
      return goto('other');
    }
    const id = /^t([1-9]\d{0,8})$/.exec(arg)?.[1];
    const topic = id ? (await ctx.services.training.topics()).find((t) => t.id === Number(id)) : undefined;
    if (!topic) {
      await stale(ctx);
      return stay;
    }
    data.topicId = topic.id;
    data.topicName = topic.name;
    data.otherTopic = null;
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    return goto('description');
  },
};

const otherStep: FormStep = {
  id: 'other',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.need.ask_other', { min: num(ctx, OTHER_TOPIC_LIMITS.min), max: num(ctx, OTHER_TOPIC_LIMITS.max) }), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const other = validateOtherTopic(text);
    if (!other.ok) {
      await ctx.reply(ctx.t('courses.need.errors.other', { min: num(ctx, OTHER_TOPIC_LIMITS.min), max: num(ctx, OTHER_TOPIC_LIMITS.max) }));
      return stay;
    }
    data.otherTopic = other.value;
    data.topicName = other.value;
    return next;
  },
};

const descriptionStep: FormStep = {
  id: 'description',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.need.ask_description', { min: num(ctx, NEED_DESCRIPTION_LIMITS.min), max: num(ctx, NEED_DESCRIPTION_LIMITS.max) }), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const description = validateNeedDescription(text);
    if (!description.ok) {
      await ctx.reply(ctx.t('courses.need.errors.description', { min: num(ctx, NEED_DESCRIPTION_LIMITS.min), max: num(ctx, NEED_DESCRIPTION_LIMITS.max) }));
      return stay;
    }
    data.description = description.value;
    return next;
  },
};

const participantsStep: FormStep = {
  id: 'participants',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.need.ask_participants', { max: num(ctx, MAX_NEED_PARTICIPANTS) }), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const participants = validateNeedParticipants(text);
    if (!participants.ok) {
      await ctx.reply(ctx.t(`courses.need.errors.participants_${participants.error}`, { max: num(ctx, MAX_NEED_PARTICIPANTS) }));
      return stay;
    }
    data.participants = participants.value;
    return next;
  },
};

const formatStep: FormStep = {
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
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    return next;
  },
};

function summaryText(ctx: BotContext, data: FormData): string {
  return [
    ctx.t('courses.need.summary_title'),
    '',
    ctx.t('courses.need.summary_topic', { value: escapeHtml(String(data.topicName ?? '')) }),
    ctx.t('courses.need.summary_description', { value: escapeHtml(String(data.description ?? '')) }),
    ctx.t('courses.need.summary_participants', { value: num(ctx, Number(data.participants)) }),
    ctx.t('courses.need.summary_format', { value: isFormat(data.format) ? ctx.t(`courses.format.${data.format}`) : '—' }),
  ].join('\n');
}

const confirmStep: FormStep = {
  id: 'confirm',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    await ctx.reply(summaryText(ctx, data), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [Markup.button.callback(ctx.t('courses.need.confirm_button'), cb('confirm', 'yes')), Markup.button.callback(ctx.t('courses.need.cancel_button'), cb('confirm', 'no'))],
      ]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    if (arg !== 'yes') {
      await ctx.reply(ctx.t('courses.need.cancelled'), mainMenu(ctx));
      return end;
    }
    try {
      const need = await ctx.services.training.requestTraining(ctx.user.id, {
        topicId: typeof data.topicId === 'number' ? data.topicId : null,
        otherTopic: typeof data.otherTopic === 'string' ? data.otherTopic : null,
        description: String(data.description ?? ''),
        participants: Number(data.participants),
        format: isFormat(data.format) ? data.format : 'IN_PERSON',
      });
      await ctx.reply(ctx.t('courses.need.submitted', { id: num(ctx, need.id), topic: escapeHtml(need.topic) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
    } catch (err) {
      await replyRefusal(ctx, err, { endForm: true });
    }
    return end;
  },
};

export const needForm = new FormRunner({
  name: 'training_need',
  titleKey: 'courses.need.title',
  prefix: PREFIX,
  steps: [topicStep, otherStep, descriptionStep, participantsStep, formatStep, confirmStep],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

/** Only members of approved NGOs: anyone else learns why before the first question. */
export async function startNeedRequest(ctx: BotContext): Promise<void> {
  await call(ctx, () => ctx.services.training.assertCanRequest(ctx.user.id));
  await ctx.reply(ctx.t('courses.need.intro'));
  await needForm.start(ctx);
}

// ---- the NGO's open requests ---------------------------------------------------------------------------

function needLine(ctx: BotContext, need: NeedView): string {
  return ctx.t('courses.need.item', {
    id: num(ctx, need.id),
    topic: escapeHtml(need.topic),
    participants: num(ctx, need.participants),
    format: ctx.t(`courses.format.${need.format}`),
    date: when(ctx, need.createdAt),
  });
}

async function myRequestsView(ctx: BotContext): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const needs = await call(ctx, () => ctx.services.training.openNeeds(ctx.user.id));
  if (needs.length === 0) return { text: ctx.t('courses.need.none_open') };
  const keyboard = Markup.inlineKeyboard(
    needs.map((n) => [Markup.button.callback(ctx.t('courses.need.withdraw_button', { id: num(ctx, n.id) }), callbackData(NEED_ACTIONS.withdraw, n.id))]),
  ).reply_markup;
  return { text: [ctx.t('courses.need.open_title'), '', ...needs.map((n) => needLine(ctx, n))].join('\n\n'), keyboard };
}

export async function showMyRequests(ctx: BotContext): Promise<void> {
  const { text, keyboard } = await myRequestsView(ctx);
  await ctx.reply(text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) });
}

// ---- demand (admins) -----------------------------------------------------------------------------------

async function demandView(ctx: BotContext): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const demand = await call(ctx, () => ctx.services.training.demand(ctx.user.id));
  if (demand.totals.requests === 0) return { text: ctx.t('courses.demand.empty') };
  const row = (name: string, r: { ngos: number; people: number; latest: Date }) =>
    ctx.t('courses.demand.row', { name: escapeHtml(name), ngos: num(ctx, r.ngos), people: num(ctx, r.people), latest: when(ctx, r.latest) });
  const topicName = (name: string, topicId: number | null) => (topicId === null ? ctx.t('courses.demand.other_topics') : name);
  const text = [
    ctx.t('courses.demand.title', { requests: num(ctx, demand.totals.requests), ngos: num(ctx, demand.totals.ngos), people: num(ctx, demand.totals.people) }),
    '',
    ctx.t('courses.demand.by_topic'),
    ...demand.byTopic.map((r, i) => `${num(ctx, i + 1)}. ${row(topicName(r.key.name, r.key.topicId), r)}`),
    '',
    ctx.t('courses.demand.by_county'),
    ...demand.byCounty.map((r, i) => `${num(ctx, i + 1)}. ${row(r.key.name, r)}`),
    '',
    ctx.t('courses.demand.drill_hint'),
  ].join('\n');
  const buttons: InlineKeyboardButton[] = [
    ...demand.byTopic.map((r) =>
      Markup.button.callback(`📚 ${shorten(topicName(r.key.name, r.key.topicId), 28)}`, callbackData(NEED_ACTIONS.drill, r.key.topicId === null ? 'to' : `t${r.key.topicId}`)),
    ),
    ...demand.byCounty.map((r) => Markup.button.callback(`📍 ${shorten(r.key.name, 28)}`, callbackData(NEED_ACTIONS.drill, `c${r.key.countyId}`))),
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
  const detail = await call(ctx, () => ctx.services.training.demandDetail(ctx.user.id, group));
  const title =
    group.kind === 'topic'
      ? ctx.t('courses.demand.detail_topic', { name: escapeHtml(group.topicId === null ? ctx.t('courses.demand.other_topics') : (detail.title ?? '—')) })
      : ctx.t('courses.demand.detail_county', { name: escapeHtml(detail.title ?? '—') });
  const items = detail.items.map((n) =>
    ctx.t('courses.demand.detail_item', {
      id: num(ctx, n.id),
      ngo: escapeHtml(n.ngoName),
      county: escapeHtml(n.county),
      topic: escapeHtml(n.topic),
      participants: num(ctx, n.participants),
      format: ctx.t(`courses.format.${n.format}`),
      date: when(ctx, n.createdAt),
      description: escapeHtml(shorten(n.description, 200)),
    }),
  );
  const more = detail.total > detail.items.length ? [ctx.t('courses.demand.more', { n: num(ctx, detail.total - detail.items.length) })] : [];
  const body = items.length ? items : [ctx.t('courses.demand.detail_empty')];
  return {
    text: [title, '', ...body, ...more].join('\n\n'),
    keyboard: Markup.inlineKeyboard([[Markup.button.callback(ctx.t('courses.demand.back_button'), callbackData(NEED_ACTIONS.drill, 'all'))]]).reply_markup,
  };
}

export async function showDemand(ctx: BotContext): Promise<void> {
  const { text, keyboard } = await demandView(ctx);
  await ctx.reply(text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) });
}

// ---- handlers --------------------------------------------------------------------------------------------

export const trainingNeedsFeature = new Composer<BotContext>();

trainingNeedsFeature.command('request_course', startNeedRequest);
trainingNeedsFeature.command('my_requests', showMyRequests);
trainingNeedsFeature.command('needs', requireAdmin, showDemand);

trainingNeedsFeature.action(actionTrigger(NEED_ACTIONS.withdraw), async (ctx) => {
  const arg = argOf(ctx, NEED_ACTIONS.withdraw, ID);
  if (arg === null) return stale(ctx);
  const need = await call(ctx, () => ctx.services.training.withdraw(ctx.user.id, Number(arg)));
  await ctx.answerCbQuery(ctx.t('courses.need.withdrawn', { id: num(ctx, need.id) }));
  const { text, keyboard } = await myRequestsView(ctx);
  await redraw(ctx, `${ctx.t('courses.need.withdrawn', { id: num(ctx, need.id) })}\n\n${text}`, keyboard);
});

trainingNeedsFeature.action(actionTrigger(NEED_ACTIONS.drill), requireAdmin, async (ctx) => {
  const arg = argOf(ctx, NEED_ACTIONS.drill, DRILL_ARG);
  if (arg === null) return stale(ctx);
  const group = groupOf(arg);
  const { text, keyboard } = group ? await drillView(ctx, group) : await demandView(ctx);
  await redraw(ctx, text, keyboard);
  await ctx.answerCbQuery();
});
