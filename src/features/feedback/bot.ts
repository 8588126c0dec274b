/**
 * Feedback, the member's side: /feedback (and the menu button) walks through type, text,
 * attachments and "with or without my name"; /my_feedback lists what they sent, shows a thread and
 * takes follow-ups. The office's side is in inbox.ts; both are composed here so the spine adds one
 * feature. The service stores before anything is confirmed, and decides who may do what.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message } from 'telegraf/types';
import { FEEDBACK_LIMITS, excerpt, isFeedbackType, prepareFeedbackText, type FeedbackType } from './rules.js';
import { normalizeInput } from '../../platform/text/persian-text.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { AppError } from '../../platform/errors.js';
import { FEEDBACK_ACTIONS, type Attachment } from './service.js';
import { actionTrigger, callbackData, parseCallbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, next, stay, type FormData, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { appErrorText, bigNumber, digits, ITEM_ID, itemIdFrom, jalaliTime, pack, PAGE, send, stale, threadBlocks, typeLabel, withAppErrors } from './bot-common.js';
import { inboxFeature, inboxForms } from './inbox-bot.js';

const PREFIX = 'fb';
const ACTIONS = { mine: FEEDBACK_ACTIONS.mine, minePage: 'fb_mypg', followUp: FEEDBACK_ACTIONS.followUp } as const;
const MINE_PAGE_SIZE = 8;

const cb = (step: string, arg: string) => `${PREFIX}:${step}.${arg}`;

// ---- reading a message's content --------------------------------------------------------------------

type Content = { text?: string; attachment?: Attachment } | 'unsupported';

function contentOf(message: Message): Content {
  if ('text' in message) return { text: message.text };
  const caption = 'caption' in message && message.caption ? { text: message.caption } : {};
  if ('photo' in message) {
    // The largest size: what an admin will want to read.
    const largest = message.photo.at(-1);
    return largest ? { ...caption, attachment: { kind: 'photo', fileId: largest.file_id } } : 'unsupported';
  }
  if ('document' in message) {
    const name = message.document.file_name;
    return { ...caption, attachment: { kind: 'document', fileId: message.document.file_id, ...(name ? { fileName: name.slice(0, 200) } : {}) } };
  }
  return 'unsupported';
}

function attachmentsOf(data: FormData): Attachment[] {
  return Array.isArray(data.attachments) ? (data.attachments as Attachment[]) : [];
}

/** Adds an attachment unless the limit is reached; false (and the user told) when it is. */
async function addAttachment(ctx: BotContext, data: FormData, attachment: Attachment): Promise<boolean> {
  const list = attachmentsOf(data);
  if (list.length >= FEEDBACK_LIMITS.attachmentsMax) {
    await ctx.reply(ctx.t('feedback.form.too_many_attachments', { max: digits(ctx, FEEDBACK_LIMITS.attachmentsMax) }));
    return false;
  }
  data.attachments = [...list, attachment];
  return true;
}

async function explainTextError(ctx: BotContext, error: 'empty' | 'no_letters' | 'too_long', length: number, max: number, key = 'feedback.form.errors'): Promise<void> {
  await ctx.reply(ctx.t(`${key}.${error}`, { length: bigNumber(ctx, length), max: bigNumber(ctx, max), part: bigNumber(ctx, FEEDBACK_LIMITS.partMax) }));
}

// ---- the feedback form ----------------------------------------------------------------------------

const typeStep: FormStep = {
  id: 'type',
  wrongInputKey: 'feedback.form.choose_type',
  async ask(ctx) {
    const button = (type: FeedbackType) => Markup.button.callback(typeLabel(ctx, type), cb('type', type));
    await ctx.reply(ctx.t('feedback.form.ask_type'), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [button('SUGGESTION'), button('CRITICISM')],
        [button('COMPLAINT'), button('QUESTION')],
      ]),
    });
  },
  async onCallback(ctx, arg, data) {
    if (!isFeedbackType(arg)) return stay;
    data.type = arg;
    await ctx.editMessageText(ctx.t('feedback.form.type_chosen', { type: typeLabel(ctx, arg) }), { parse_mode: 'HTML' }).catch(() => {});
    return next;
  },
};

const textStep: FormStep = {
  id: 'text',
  async ask(ctx, data) {
    const type = isFeedbackType(data.type) ? data.type : 'SUGGESTION';
    await ctx.reply(ctx.t('feedback.form.ask_text', { type: typeLabel(ctx, type), max: bigNumber(ctx, FEEDBACK_LIMITS.partMax) }), {
      parse_mode: 'HTML',
      ...formKeyboard(ctx),
    });
  },
  async onMessage(ctx, message, data) {
    const content = contentOf(message);
    if (content === 'unsupported') {
      await ctx.reply(ctx.t('feedback.form.text_expected'));
      return stay;
    }
    if (content.attachment && !(await addAttachment(ctx, data, content.attachment))) return stay;
    if (content.text === undefined) {
      // A photo without a caption: kept for the attachment step; the text is still needed.
      await ctx.reply(ctx.t('feedback.form.attachment_kept_need_text', { n: digits(ctx, attachmentsOf(data).length) }));
      return stay;
    }
    const result = prepareFeedbackText(content.text);
    if (!result.ok) {
      await explainTextError(ctx, result.error, result.length, result.max);
      return stay;
    }
    data.text = result.value.text;
    if (result.value.parts.length > 1) {
      await ctx.reply(
        ctx.t('feedback.form.split_notice', {
          length: bigNumber(ctx, result.value.length),
          max: bigNumber(ctx, FEEDBACK_LIMITS.partMax),
          parts: digits(ctx, result.value.parts.length),
        }),
      );
    }
    return next;
  },
};

function attachKeyboard(ctx: BotContext) {
  return Markup.keyboard([[ctx.t('feedback.form.continue')], [ctx.t('forms.back'), ctx.t('forms.cancel')]]).resize();
}

const attachStep: FormStep = {
  id: 'attach',
  async ask(ctx, data) {
    await ctx.reply(
      ctx.t('feedback.form.ask_attachments', { max: digits(ctx, FEEDBACK_LIMITS.attachmentsMax), n: digits(ctx, attachmentsOf(data).length) }),
      { parse_mode: 'HTML', ...attachKeyboard(ctx) },
    );
  },
  async onMessage(ctx, message, data) {
    if ('text' in message && isLabel(ctx, 'feedback.form.continue', message.text)) {
      await ctx.reply(ctx.t('feedback.form.attachments_done', { n: digits(ctx, attachmentsOf(data).length) }), formKeyboard(ctx));
      return next;
    }
    const content = contentOf(message);
    if (content === 'unsupported') {
      await ctx.reply(ctx.t('feedback.form.attachment_unsupported'));
      return stay;
    }
    if (content.attachment) {
      if (!(await addAttachment(ctx, data, content.attachment))) return stay;
      if (content.text === undefined) {
        await ctx.reply(ctx.t('feedback.form.attachment_added', { n: digits(ctx, attachmentsOf(data).length), max: digits(ctx, FEEDBACK_LIMITS.attachmentsMax) }));
        return stay;
      }
    }
    // Text here continues the text: a long paste reaches the bot as several messages.
    const combined = `${String(data.text ?? '')}\n\n${content.text ?? ''}`;
    const result = prepareFeedbackText(combined);
    if (!result.ok) {
      await explainTextError(ctx, result.error, result.length, result.max, 'feedback.form.continuation_errors');
      return stay;
    }
    data.text = result.value.text;
    await ctx.reply(
      ctx.t(content.attachment ? 'feedback.form.attachment_and_text_added' : 'feedback.form.text_added', {
        n: digits(ctx, attachmentsOf(data).length),
        length: bigNumber(ctx, result.value.length),
      }),
    );
    return stay;
  },
};

function summaryText(ctx: BotContext, data: FormData): string {
  const prepared = prepareFeedbackText(String(data.text ?? ''));
  const parts = prepared.ok ? prepared.value.parts.length : 1;
  return [
    ctx.t('feedback.form.summary_title'),
    '',
    ctx.t('feedback.form.summary_type', { type: typeLabel(ctx, data.type as FeedbackType) }),
    ctx.t('feedback.form.summary_length', { length: bigNumber(ctx, prepared.ok ? prepared.value.length : 0) }),
    parts > 1 ? ctx.t('feedback.form.summary_parts', { parts: digits(ctx, parts) }) : null,
    ctx.t('feedback.form.summary_attachments', { n: digits(ctx, attachmentsOf(data).length) }),
    '',
    `«${escapeHtml(excerpt(String(data.text ?? ''), 300))}»`,
    '',
    ctx.t('feedback.form.anonymous_explained'),
  ]
    .filter((l) => l !== null)
    .join('\n');
}

const sendStep: FormStep = {
  id: 'send',
  wrongInputKey: 'forms.use_buttons',
  async ask(ctx, data) {
    await ctx.reply(summaryText(ctx, data), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [Markup.button.callback(ctx.t('feedback.form.send_named'), cb('send', 'named'))],
        [Markup.button.callback(ctx.t('feedback.form.send_anonymous'), cb('send', 'anon'))],
        [Markup.button.callback(ctx.t('feedback.form.cancel'), cb('send', 'cancel'))],
      ]),
    });
  },
  async onCallback(ctx, arg, data) {
    if (arg === 'cancel') {
      await ctx.editMessageReplyMarkup(undefined).catch(() => {});
      await ctx.reply(ctx.t('feedback.form.cancelled'), mainMenu(ctx));
      return end;
    }
    if (arg !== 'named' && arg !== 'anon') return stay;
    const prepared = prepareFeedbackText(String(data.text ?? ''));
    if (!prepared.ok || !isFeedbackType(data.type)) {
      // Only an old or damaged session gets here: ask again rather than store something unchecked.
      await ctx.reply(ctx.t('feedback.form.errors.empty', { length: '0', max: '0', part: '0' }));
      return end;
    }
    let id: number;
    try {
      ({ id } = await ctx.services.feedback.submit(ctx.user.id, {
        type: data.type,
        parts: prepared.value.parts,
        attachments: attachmentsOf(data),
        anonymous: arg === 'anon',
      }));
    } catch (err) {
      if (err instanceof AppError) {
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        await ctx.reply(appErrorText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
        return end;
      }
      throw err;
    }
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    // Stored (with the admins' notices) before this is said.
    await ctx.reply(
      ctx.t(arg === 'anon' ? 'feedback.form.received_anonymous' : 'feedback.form.received', { id: digits(ctx, id), type: typeLabel(ctx, data.type) }),
      { parse_mode: 'HTML', ...mainMenu(ctx) },
    );
    return end;
  },
};

export const feedbackForm = new FormRunner({
  name: 'feedback',
  titleKey: 'feedback.form.title',
  prefix: PREFIX,
  steps: [typeStep, textStep, attachStep, sendStep],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

async function startFeedback(ctx: BotContext): Promise<void> {
  // Membership and the daily limit first: nobody should write a long text only to be refused.
  await ctx.services.feedback.checkCanSubmit(ctx.user.id);
  await ctx.reply(ctx.t('feedback.form.intro'), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
  await feedbackForm.start(ctx, { attachments: [] });
}

// ---- follow-up form -----------------------------------------------------------------------------------

export const followUpForm = new FormRunner({
  name: 'feedback_followup',
  titleKey: 'feedback.followup.title',
  prefix: 'fbfu',
  steps: [
    {
      id: 'message',
      async ask(ctx, data) {
        await ctx.reply(ctx.t('feedback.followup.ask', { id: digits(ctx, Number(data.itemId)), max: bigNumber(ctx, FEEDBACK_LIMITS.partMax) }), {
          parse_mode: 'HTML',
          ...formKeyboard(ctx, { back: false }),
        });
      },
      async onMessage(ctx, message, data) {
        const content = contentOf(message);
        if (content === 'unsupported') {
          await ctx.reply(ctx.t('feedback.followup.unsupported'));
          return stay;
        }
        let parts: string[] = [];
        if (content.text !== undefined || !content.attachment) {
          const result = prepareFeedbackText(content.text ?? '');
          if (!result.ok) {
            await explainTextError(ctx, result.error, result.length, result.max);
            return stay;
          }
          parts = result.value.parts;
        }
        const itemId = Number(data.itemId);
        try {
          await ctx.services.feedback.addFollowUp(ctx.user.id, itemId, { parts, attachments: content.attachment ? [content.attachment] : [] });
        } catch (err) {
          if (err instanceof AppError) {
            await ctx.reply(appErrorText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
            return end;
          }
          throw err;
        }
        await ctx.reply(ctx.t('feedback.followup.done', { id: digits(ctx, itemId) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
        return end;
      },
    },
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- /my_feedback -----------------------------------------------------------------------------------

async function myList(ctx: BotContext, requested: number): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const service = ctx.services.feedback;
  let page = requested;
  let { total, items } = await service.myItems(ctx.user.id, page, MINE_PAGE_SIZE);
  if (total === 0) return { text: ctx.t('feedback.mine.empty') };
  const pages = Math.ceil(total / MINE_PAGE_SIZE);
  if (items.length === 0) {
    page = pages - 1;
    ({ total, items } = await service.myItems(ctx.user.id, page, MINE_PAGE_SIZE));
  }
  const lines = items.map((i) =>
    ctx.t('feedback.mine.item', {
      id: digits(ctx, i.id),
      type: typeLabel(ctx, i.type),
      status: ctx.t(`feedback.statuses.${i.status}`),
      date: jalaliTime(ctx, i.createdAt),
      anonymous: i.anonymous ? ctx.t('feedback.mine.anonymous_mark') : '',
    }),
  );
  const text = [
    ctx.t('feedback.mine.title', { total: digits(ctx, total) }),
    '',
    ...lines,
    ...(pages > 1 ? ['', ctx.t('feedback.page', { page: digits(ctx, page + 1), pages: digits(ctx, pages) })] : []),
    '',
    ctx.t('feedback.mine.hint'),
  ].join('\n');
  const rows: InlineKeyboardButton[][] = items.map((i) => [
    Markup.button.callback(ctx.t('feedback.mine.view_button', { id: digits(ctx, i.id), type: ctx.t(`feedback.types.${i.type}`) }), callbackData(ACTIONS.mine, i.id)),
  ]);
  const nav: InlineKeyboardButton[] = [];
  if (page > 0) nav.push(Markup.button.callback(ctx.t('feedback.prev_page'), callbackData(ACTIONS.minePage, page - 1)));
  if (page + 1 < pages) nav.push(Markup.button.callback(ctx.t('feedback.next_page'), callbackData(ACTIONS.minePage, page + 1)));
  if (nav.length) rows.push(nav);
  return { text, keyboard: { inline_keyboard: rows } };
}

async function showMine(ctx: BotContext, itemId: number): Promise<void> {
  const view = await ctx.services.feedback.myItem(ctx.user.id, itemId);
  const header = [
    ctx.t('feedback.item.title', { id: digits(ctx, view.id), type: typeLabel(ctx, view.type) }),
    ctx.t('feedback.item.status', { status: ctx.t(`feedback.statuses.${view.status}`) }),
    view.anonymous ? ctx.t('feedback.item.sent_anonymously') : null,
  ]
    .filter((l) => l !== null)
    .join('\n');
  const rows: InlineKeyboardButton[][] = [];
  if (view.status !== 'CLOSED') rows.push([Markup.button.callback(ctx.t('feedback.mine.followup_button'), callbackData(ACTIONS.followUp, view.id))]);
  rows.push([Markup.button.callback(ctx.t('feedback.mine.back_button'), callbackData(ACTIONS.minePage, 0))]);
  const chunks = pack([header, ...threadBlocks(ctx, view, 'owner'), ...(view.status === 'CLOSED' ? [ctx.t('feedback.item.closed_hint')] : [])]);
  for (const [i, chunk] of chunks.entries()) await send(ctx, chunk, i === chunks.length - 1 ? { inline_keyboard: rows } : undefined);
}

const memberSide = new Composer<BotContext>();

memberSide.command('feedback', withAppErrors(startFeedback));
memberSide.hears(labelTrigger('menu.feedback'), withAppErrors(startFeedback));

memberSide.command('my_feedback', withAppErrors(async (ctx) => {
  // A tracking number typed after the command (Persian digits too) opens that item.
  const arg = normalizeInput(ctx.payload).replace(/^#/, '');
  if (arg === '') {
    const { text, keyboard } = await myList(ctx, 0);
    await send(ctx, text, keyboard);
    return;
  }
  if (!ITEM_ID.test(arg)) throw new AppError('feedback.mine.usage');
  await showMine(ctx, Number(arg));
}));

memberSide.action(actionTrigger(ACTIONS.minePage), async (ctx) => {
  const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const arg = parseCallbackData(data, ACTIONS.minePage);
  if (arg === null || !PAGE.test(arg)) return stale(ctx);
  const { text, keyboard } = await myList(ctx, Number(arg));
  await send(ctx, text, keyboard);
  await ctx.answerCbQuery();
});

memberSide.action(actionTrigger(ACTIONS.mine), withAppErrors(async (ctx) => {
  const id = itemIdFrom(ctx, ACTIONS.mine);
  if (id === null) return stale(ctx);
  await showMine(ctx, id);
  await ctx.answerCbQuery();
}));

memberSide.action(actionTrigger(ACTIONS.followUp), withAppErrors(async (ctx) => {
  const id = itemIdFrom(ctx, ACTIONS.followUp);
  if (id === null) return stale(ctx);
  // Ownership and state are checked now, and again by the service when the message comes.
  const view = await ctx.services.feedback.myItem(ctx.user.id, id);
  if (view.status === 'CLOSED') throw new AppError('feedback.errors.closed', { id });
  if (!ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await followUpForm.start(ctx, { itemId: id });
}));

export const feedbackFeature = new Composer<BotContext>();
feedbackFeature.use(memberSide, inboxFeature);

/** Every form of the feature, for the form router. */
export const feedbackForms: FormRunner[] = [feedbackForm, followUpForm, ...inboxForms];
