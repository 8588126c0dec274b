/**
 * The questions about an NGO, one step each: used by the registration form and by the manager's
 * profile edits, so a field is asked and validated the same way everywhere. Each step validates
 * through rules.ts and explains a mistake with `ngo.errors.<field>.<code>`.
 */
import { Markup } from 'telegraf';
import {
  AUTHORITIES,
  isAuthority,
  validateAuthorityOther,
  validateDescription,
  validateFoundedYear,
  validateManagerName,
  validateMobile,
  validateMemberCount,
  validateNgoName,
  validateRegistrationNumber,
  type Authority,
} from './rules.js';
import type { Result } from '../../platform/text/index.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { BotContext } from '../../platform/bot/context.js';
import { goto, next, stay, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { bestEffort, rowsOf } from '../../platform/bot/ui.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';

export type StepId =
  | 'name'
  | 'registration_number'
  | 'authority'
  | 'authority_other'
  | 'fields'
  | 'county'
  | 'founded_year'
  | 'member_count'
  | 'manager_name'
  | 'phone'
  | 'description';

/** The questions in the order they are asked; authority_other only follows the authority "other". */
export const STEP_ORDER: StepId[] = [
  'name',
  'registration_number',
  'authority',
  'authority_other',
  'fields',
  'county',
  'founded_year',
  'member_count',
  'manager_name',
  'phone',
  'description',
];

export type EditableStep = Exclude<StepId, 'authority_other'>;

/** What a person can choose to correct: every question but the follow-up to "other". */
export const EDITABLE_STEPS = STEP_ORDER.filter((s): s is EditableStep => s !== 'authority_other');

export function isEditableStep(value: string | undefined): value is EditableStep {
  return EDITABLE_STEPS.some((s) => s === value);
}

/** "Which item would you like to edit?": a button per item, two a row. */
export function editItemRows(ctx: BotContext, data: (step: EditableStep) => string) {
  return rowsOf(EDITABLE_STEPS.map((s) => Markup.button.callback(ctx.t(`ngo.form.edit_labels.${s}`), data(s))), 2);
}

/** The answers, under the names of the registration draft; each is set once its step validated it. */
export interface NgoAnswers {
  name?: string;
  registrationNumber?: string;
  authority?: Authority;
  authorityOther?: string | null;
  fieldIds?: number[];
  countyId?: number;
  foundedYear?: number | null;
  memberCount?: number | null;
  managerName?: string;
  managerPhone?: string;
  description?: string | null;
}

type Callback = (step: string, arg: string) => string;
type NgoStep = FormStep<NgoAnswers>;
type TextKey = 'name' | 'registrationNumber' | 'authorityOther' | 'foundedYear' | 'memberCount' | 'managerName' | 'description';

async function explain<T>(ctx: BotContext, field: string, result: Result<T, string>): Promise<T | undefined> {
  if (result.ok) return result.value;
  await ctx.reply(ctx.t(`ngo.errors.${field}.${result.error}`));
  return undefined;
}

/** A step that takes typed text, validates it and stores it under `key`. */
function textStep<K extends TextKey>(
  id: StepId,
  key: K,
  validate: (text: string, ctx: BotContext) => Result<NonNullable<NgoAnswers[K]>, string>,
  options: { optional?: boolean; back?: boolean; after?: (ctx: BotContext, data: NgoAnswers) => Promise<StepOutcome> } = {},
): NgoStep {
  return {
    id,
    ask: async (ctx) => {
      await ctx.reply(ctx.t(`ngo.form.ask_${id}`), formKeyboard(ctx, { skip: options.optional, back: options.back }));
    },
    onText: async (ctx, text, data) => {
      if (options.optional && isLabel(ctx, 'forms.skip', text)) {
        // Skipped: no answer, which the draft records as null.
        delete data[key];
        return next;
      }
      const value = await explain(ctx, id, validate(text, ctx));
      if (value === undefined) return stay;
      data[key] = value;
      return options.after ? options.after(ctx, data) : next;
    },
  };
}

export interface NgoStepOptions {
  callback: Callback;
  /** Called once the registration number and authority are known: stop early when the NGO exists. */
  onIdentityKnown?: (ctx: BotContext, data: NgoAnswers) => Promise<StepOutcome>;
  /** The name step is the first one of the registration: no "back" there. */
  firstStepHasBack?: boolean;
}

export function createNgoSteps(options: NgoStepOptions): Record<StepId, NgoStep> {
  const cb = options.callback;
  const identityKnown = options.onIdentityKnown ?? (async () => next);
  return {
    name: textStep('name', 'name', (text) => validateNgoName(text), { back: options.firstStepHasBack ?? false }),
    // Corrected from the summary, the number is checked against registered NGOs again.
    registration_number: textStep('registration_number', 'registrationNumber', (text) => validateRegistrationNumber(text), {
      after: (ctx, data) => (data.authority ? identityKnown(ctx, data) : Promise.resolve(next)),
    }),
    authority: authorityStep(cb, identityKnown),
    authority_other: textStep('authority_other', 'authorityOther', (text) => validateAuthorityOther(text), {
      after: (ctx, data) => identityKnown(ctx, data),
    }),
    fields: fieldsStep(cb),
    county: countyStep(cb),
    founded_year: textStep('founded_year', 'foundedYear', (text, ctx) => validateFoundedYear(text, new Date(ctx.message ? ctx.message.date * 1000 : Date.now())), {
      optional: true,
    }),
    member_count: textStep('member_count', 'memberCount', (text) => validateMemberCount(text), { optional: true }),
    manager_name: textStep('manager_name', 'managerName', (text) => validateManagerName(text)),
    phone: phoneStep(),
    description: textStep('description', 'description', (text) => validateDescription(text), { optional: true }),
  };
}

function authorityStep(cb: Callback, identityKnown: (ctx: BotContext, data: NgoAnswers) => Promise<StepOutcome>): NgoStep {
  return {
    id: 'authority',
    wrongInputKey: 'forms.use_buttons',
    ask: async (ctx) => {
      const buttons = AUTHORITIES.map((a) => Markup.button.callback(ctx.t(`ngo.authorities.${a}`), cb('authority', a)));
      await ctx.reply(ctx.t('ngo.form.ask_authority'), Markup.inlineKeyboard(rowsOf(buttons, 2)));
    },
    onCallback: async (ctx, arg, data) => {
      if (!isAuthority(arg)) return stay;
      data.authority = arg;
      if (arg === 'OTHER') return goto('authority_other');
      data.authorityOther = null;
      const outcome = await identityKnown(ctx, data);
      return outcome.type === 'next' ? goto('fields') : outcome;
    },
  };
}

/** Several fields, toggled one tap at a time on the same message. */
function fieldsStep(cb: Callback): NgoStep {
  const keyboard = async (ctx: BotContext, data: NgoAnswers) => {
    const { fields } = await ctx.services.ngos.referenceLists();
    const chosen = new Set(data.fieldIds ?? []);
    const buttons = fields.map((f) => Markup.button.callback(`${chosen.has(f.id) ? '✅ ' : ''}${f.name}`, cb('fields', `f${f.id}`)));
    const rows = rowsOf(buttons, 2);
    rows.push([Markup.button.callback(ctx.t('ngo.form.fields_done'), cb('fields', 'done'))]);
    return Markup.inlineKeyboard(rows);
  };
  return {
    id: 'fields',
    wrongInputKey: 'forms.use_buttons',
    ask: async (ctx, data) => {
      await ctx.reply(ctx.t('ngo.form.ask_fields'), await keyboard(ctx, data));
    },
    onCallback: async (ctx, arg, data) => {
      const chosen = new Set(data.fieldIds ?? []);
      if (arg === 'done') {
        if (chosen.size > 0) return next;
        await ctx.answerCbQuery(ctx.t('ngo.form.fields_required'), { show_alert: true });
        return stay;
      }
      const id = /^f(\d{1,9})$/.exec(arg)?.[1];
      const { fields } = await ctx.services.ngos.referenceLists();
      if (!id || !fields.some((f) => f.id === Number(id))) return stay;
      if (chosen.has(Number(id))) chosen.delete(Number(id));
      else chosen.add(Number(id));
      data.fieldIds = [...chosen];
      const markup = (await keyboard(ctx, data)).reply_markup;
      await bestEffort(() => ctx.editMessageReplyMarkup(markup));
      return stay;
    },
  };
}

function countyStep(cb: Callback): NgoStep {
  return {
    id: 'county',
    wrongInputKey: 'forms.use_buttons',
    ask: async (ctx) => {
      const { counties } = await ctx.services.ngos.referenceLists();
      const buttons = counties.map((c) => Markup.button.callback(c.name, cb('county', `c${c.id}`)));
      await ctx.reply(ctx.t('ngo.form.ask_county'), Markup.inlineKeyboard(rowsOf(buttons, 3)));
    },
    onCallback: async (ctx, arg, data) => {
      const id = /^c(\d{1,9})$/.exec(arg)?.[1];
      const { counties } = await ctx.services.ngos.referenceLists();
      const county = counties.find((c) => c.id === Number(id));
      if (!county) return stay;
      data.countyId = county.id;
      await bestEffort(() => ctx.editMessageText(`${ctx.t('ngo.form.ask_county')}\n✅ ${escapeHtml(county.name)}`, { parse_mode: 'HTML' }));
      return next;
    },
  };
}

/** The manager's mobile: typed, or shared with the contact button (their own contact only). */
function phoneStep(): NgoStep {
  return {
    id: 'phone',
    ask: async (ctx) => {
      await ctx.reply(ctx.t('ngo.form.ask_phone'), formKeyboard(ctx, { contact: true }));
    },
    onText: async (ctx, text, data) => {
      const phone = await explain(ctx, 'phone', validateMobile(text));
      if (phone === undefined) return stay;
      data.managerPhone = phone;
      return next;
    },
    onContact: async (ctx, contact, message, data) => {
      // Only the sender's own number, shared with the button: a forwarded or someone else's contact
      // says nothing about who is registering.
      if ('forward_origin' in message && message.forward_origin) {
        await ctx.reply(ctx.t('ngo.form.contact_forwarded'));
        return stay;
      }
      if (contact.user_id !== ctx.from?.id) {
        await ctx.reply(ctx.t('ngo.form.contact_not_own'));
        return stay;
      }
      const phone = await explain(ctx, 'phone', validateMobile(contact.phone_number));
      if (phone === undefined) return stay;
      data.managerPhone = phone;
      return next;
    },
  };
}
