/**
 * The forms of feedback: the member's (type, text, attachments, with or without my name), the
 * member's follow-up on an item, and the office's answer. Each stores through the service before it
 * says anything was received.
 */
import { Markup } from 'telegraf';
import type { Message } from 'telegraf/types';
import { dropButtons, bestEffort, refusalText } from '../../platform/bot/ui.js';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, next, stay, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { AppError } from '../../platform/errors.js';
import { staffOnly } from '../staff/index.js';
import { mainMenu } from '../start/index.js';
import { summaryText } from './member-notices.js';
import { typeLabel } from './notices.js';
import { FEEDBACK_LIMITS, isFeedbackType, prepareFeedbackText, type Attachment, type FeedbackTextError, type FeedbackType } from './rules.js';

export interface FeedbackFormData {
  type?: FeedbackType;
  /** The whole text so far, normalised; split into parts only when sent. */
  text?: string;
  attachments?: Attachment[];
}

export interface ItemFormData {
  itemId: number;
}

const isBack = (ctx: BotContext, text: string) => isLabel(ctx, 'forms.back', text);

// ---- reading a message's content ---------------------------------------------------------------------

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

/** Adds an attachment unless the limit is reached; false (and the user told) when it is. */
async function addAttachment(ctx: BotContext, data: FeedbackFormData, attachment: Attachment): Promise<boolean> {
  const list = data.attachments ?? [];
  if (list.length >= FEEDBACK_LIMITS.attachmentsMax) {
    await ctx.reply(ctx.t('feedback.form.too_many_attachments', { max: ctx.fmt.digits(FEEDBACK_LIMITS.attachmentsMax) }));
    return false;
  }
  data.attachments = [...list, attachment];
  return true;
}

async function explainTextError(ctx: BotContext, error: FeedbackTextError, length: number, max: number, key = 'feedback.form.errors'): Promise<void> {
  await ctx.reply(ctx.t(`${key}.${error}`, { length: ctx.fmt.number(length), max: ctx.fmt.number(max), part: ctx.fmt.number(FEEDBACK_LIMITS.partMax) }));
}

// ---- the feedback form ---------------------------------------------------------------------------------

const typeStep: FormStep<FeedbackFormData> = {
  id: 'type',
  wrongInputKey: 'feedback.form.choose_type',
  async ask(ctx) {
    const button = (type: FeedbackType) => Markup.button.callback(typeLabel(ctx, type), feedbackForm.callbackData('type', type));
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
    await bestEffort(() => ctx.editMessageText(ctx.t('feedback.form.type_chosen', { type: typeLabel(ctx, arg) }), { parse_mode: 'HTML' }));
    return next;
  },
};

const textStep: FormStep<FeedbackFormData> = {
  id: 'text',
  async ask(ctx, data) {
    await ctx.reply(ctx.t('feedback.form.ask_text', { type: typeLabel(ctx, data.type ?? 'SUGGESTION'), max: ctx.fmt.number(FEEDBACK_LIMITS.partMax) }), {
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
      await ctx.reply(ctx.t('feedback.form.attachment_kept_need_text', { n: ctx.fmt.digits(data.attachments?.length ?? 0) }));
      return stay;
    }
    const result = prepareFeedbackText(content.text);
    if (!result.ok) {
      await explainTextError(ctx, result.error, result.length, result.max);
      return stay;
    }
    data.text = result.value.text;
    if (result.value.parts.length > 1) {
      const { length, parts } = result.value;
      await ctx.reply(ctx.t('feedback.form.split_notice', { length: ctx.fmt.number(length), max: ctx.fmt.number(FEEDBACK_LIMITS.partMax), parts: ctx.fmt.digits(parts.length) }));
    }
    return next;
  },
};

/** With nothing attached yet, the one press goes on without attachments and says so; after one, "continue". */
function attachKeyboard(ctx: BotContext, data: FeedbackFormData) {
  const go = (data.attachments?.length ?? 0) === 0 ? 'feedback.form.no_attachments' : 'feedback.form.continue';
  return Markup.keyboard([[ctx.t(go)], [ctx.t('forms.back'), ctx.t('forms.cancel')]]).resize();
}

const attachStep: FormStep<FeedbackFormData> = {
  id: 'attach',
  async ask(ctx, data) {
    // "So far: 0" says nothing; the count is named only once something is attached.
    const n = data.attachments?.length ?? 0;
    const key = n === 0 ? 'feedback.form.ask_attachments' : 'feedback.form.ask_more_attachments';
    await ctx.reply(ctx.t(key, { max: ctx.fmt.digits(FEEDBACK_LIMITS.attachmentsMax), n: ctx.fmt.digits(n) }), {
      parse_mode: 'HTML',
      ...attachKeyboard(ctx, data),
    });
  },
  async onMessage(ctx, message, data) {
    const count = () => ctx.fmt.digits(data.attachments?.length ?? 0);
    if ('text' in message && (isLabel(ctx, 'feedback.form.continue', message.text) || isLabel(ctx, 'feedback.form.no_attachments', message.text))) {
      // This message puts back the form's keyboard under the summary; it counts attachments only when there are some.
      const n = data.attachments?.length ?? 0;
      await ctx.reply(n > 0 ? ctx.t('feedback.form.attachments_done', { n: count() }) : ctx.t('feedback.form.anonymous_explained'), formKeyboard(ctx));
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
        await ctx.reply(ctx.t('feedback.form.attachment_added', { n: count(), max: ctx.fmt.digits(FEEDBACK_LIMITS.attachmentsMax) }), attachKeyboard(ctx, data));
        return stay;
      }
    }
    // Text here continues the text: a long paste reaches the bot as several messages.
    const result = prepareFeedbackText(`${data.text ?? ''}\n\n${content.text ?? ''}`);
    if (!result.ok) {
      await explainTextError(ctx, result.error, result.length, result.max, 'feedback.form.continuation_errors');
      return stay;
    }
    data.text = result.value.text;
    const key = content.attachment ? 'feedback.form.attachment_and_text_added' : 'feedback.form.text_added';
    await ctx.reply(ctx.t(key, { n: count(), length: ctx.fmt.number(result.value.length) }), attachKeyboard(ctx, data));
    return stay;
  },
};

const sendStep: FormStep<FeedbackFormData> = {
  id: 'send',
  wrongInputKey: 'forms.use_buttons',
  async ask(ctx, data) {
    const prepared = prepareFeedbackText(data.text ?? '');
    const draft = {
      type: data.type ?? 'SUGGESTION',
      text: data.text ?? '',
      length: prepared.ok ? prepared.value.length : 0,
      parts: prepared.ok ? prepared.value.parts.length : 1,
      attachments: data.attachments?.length ?? 0,
    };
    await ctx.reply(summaryText(ctx, draft), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [Markup.button.callback(ctx.t('feedback.form.send_named'), feedbackForm.callbackData('send', 'named'))],
        [Markup.button.callback(ctx.t('feedback.form.send_anonymous'), feedbackForm.callbackData('send', 'anon'))],
        [Markup.button.callback(ctx.t('feedback.form.cancel'), feedbackForm.callbackData('send', 'cancel'))],
      ]),
    });
  },
  async onCallback(ctx, arg, data) {
    if (arg === 'cancel') {
      await dropButtons(ctx);
      await ctx.reply(ctx.t('feedback.form.cancelled'), mainMenu(ctx));
      return end;
    }
    if (arg !== 'named' && arg !== 'anon') return stay;
    const prepared = prepareFeedbackText(data.text ?? '');
    if (!prepared.ok || !isFeedbackType(data.type)) {
      // Only an old or damaged session gets here: ask again rather than store something unchecked.
      await ctx.reply(ctx.t('feedback.form.errors.empty', { length: '0', max: '0', part: '0' }));
      return end;
    }
    const draft = { type: data.type, parts: prepared.value.parts, attachments: data.attachments ?? [], anonymous: arg === 'anon' };
    let id: number;
    try {
      ({ id } = await ctx.services.feedback.submit(ctx.user.id, draft));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await dropButtons(ctx);
      await ctx.reply(refusalText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
      return end;
    }
    await dropButtons(ctx);
    // Stored (with the admins' notices) before this is said.
    await ctx.reply(ctx.t(arg === 'anon' ? 'feedback.form.received_anonymous' : 'feedback.form.received', { id: ctx.fmt.digits(id), type: typeLabel(ctx, data.type) }), {
      parse_mode: 'HTML',
      ...mainMenu(ctx),
    });
    return end;
  },
};

export const feedbackForm: FormRunner<FeedbackFormData> = new FormRunner<FeedbackFormData>({
  name: 'feedback',
  titleKey: 'feedback.form.title',
  prefix: 'fb',
  steps: [typeStep, textStep, attachStep, sendStep],
  isBack,
});

// ---- one message about an item: the member's follow-up, the office's answer ------------------------------

/** The question of a one-step form, with only "cancel" under it. */
async function askAlone(ctx: BotContext, text: string): Promise<void> {
  await ctx.reply(text, { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
}

/**
 * Stores through the service, then confirms with the tracking number. A refusal is told instead and
 * ends the form, unless its code is one the user can fix by writing again (`fixable`).
 */
async function storeThenConfirm(ctx: BotContext, store: () => Promise<unknown>, doneKey: string, itemId: number, fixable: ReadonlySet<string> = new Set()): Promise<StepOutcome> {
  try {
    await store();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const again = fixable.has(err.code);
    await ctx.reply(refusalText(ctx, err), { parse_mode: 'HTML', ...(again ? {} : mainMenu(ctx)) });
    return again ? stay : end;
  }
  await ctx.reply(ctx.t(doneKey, { id: ctx.fmt.digits(itemId) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
  return end;
}

// ---- the member's follow-up ----------------------------------------------------------------------------

const followUpStep: FormStep<ItemFormData> = {
  id: 'message',
  async ask(ctx, data) {
    await askAlone(ctx, ctx.t('feedback.followup.ask', { id: ctx.fmt.digits(data.itemId), max: ctx.fmt.number(FEEDBACK_LIMITS.partMax) }));
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
    const followUp = { parts, attachments: content.attachment ? [content.attachment] : [] };
    return storeThenConfirm(ctx, () => ctx.services.feedback.addFollowUp(ctx.user.id, data.itemId, followUp), 'feedback.followup.done', data.itemId);
  },
};

export const followUpForm = new FormRunner<ItemFormData>({
  name: 'feedback_followup',
  titleKey: 'feedback.followup.title',
  prefix: 'fbfu',
  steps: [followUpStep],
  isBack,
});

// ---- the office's answer ----------------------------------------------------------------------------------

/** Refusals the admin can fix by writing again; anything else (closed meanwhile) ends the form. */
const FIXABLE = new Set(['feedback.errors.reply_empty', 'feedback.errors.reply_no_letters', 'feedback.errors.reply_too_long']);

const replyStep: FormStep<ItemFormData> = {
  id: 'text',
  wrongInputKey: 'feedback.reply.text_only',
  async ask(ctx, data) {
    await askAlone(ctx, ctx.t('feedback.reply.ask', { id: ctx.fmt.digits(data.itemId), max: ctx.fmt.number(FEEDBACK_LIMITS.replyMax) }));
  },
  async onText(ctx, text, data) {
    return storeThenConfirm(ctx, () => ctx.services.feedback.reply(ctx.user.id, data.itemId, text), 'feedback.reply.done', data.itemId, FIXABLE);
  },
};

export const replyForm = new FormRunner<ItemFormData>({
  name: 'feedback_reply',
  titleKey: 'feedback.reply.title',
  prefix: 'fbre',
  steps: [replyStep],
  isBack,
  guard: staffOnly,
});

/** Every form of the feature, for the form router. */
export const feedbackForms = [feedbackForm, followUpForm, replyForm] as const;
