/**
 * The questions about an NGO, one step each: used by the registration form and by the manager's
 * profile edits, so a field is asked and validated the same way everywhere. Each step validates
 * through src/domain/ngo.ts and explains a mistake with `ngo.errors.<field>.<code>`.
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
} from './rules.js';
import type { Result } from '../../platform/text/index.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { BotContext } from '../../platform/bot/context.js';
import { goto, next, stay, type FormData, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
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

type Callback = (step: string, arg: string) => string;

async function explain<T>(ctx: BotContext, field: string, result: Result<T, string>): Promise<T | undefined> {
  if (result.ok) return result.value;
  await ctx.reply(ctx.t(`ngo.errors.${field}.${result.error}`));
  return undefined;
}

/** A step that takes typed text, validates it and stores it under `key`. */
function textStep(
  id: StepId,
  key: string,
  validate: (text: string, ctx: BotContext) => Result<unknown, string>,
  options: { optional?: boolean; back?: boolean; after?: (ctx: BotContext, data: FormData) => Promise<StepOutcome> } = {},
): FormStep {
  return {
    id,
    ask: async (ctx) => {
      await ctx.reply(ctx.t(`ngo.form.ask_${id}`), formKeyboard(ctx, { skip: options.optional, back: options.back }));
    },
    onText: async (ctx, text, data) => {
      if (options.optional && isLabel(ctx, 'forms.skip', text)) {
        data[key] = null;
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
  onIdentityKnown?: (ctx: BotContext, data: FormData) => Promise<StepOutcome>;
  /** The name step is the first one of the registration: no "back" there. */
  firstStepHasBack?: boolean;
}

export function createNgoSteps(options: NgoStepOptions): Record<StepId, FormStep> {
  const cb = options.callback;
  const identityKnown = options.onIdentityKnown ?? (async () => next);

  const fieldsKeyboard = async (ctx: BotContext, data: FormData) => {
    const { fields } = await ctx.services.ngos.referenceLists();
    const chosen = new Set((data.fieldIds as number[] | undefined) ?? []);
    const buttons = fields.map((f) => Markup.button.callback(`${chosen.has(f.id) ? '✅ ' : ''}${f.name}`, cb('fields', `f${f.id}`)));
    const rows = [];
    for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
    rows.push([Markup.button.callback(ctx.t('ngo.form.fields_done'), cb('fields', 'done'))]);
    return Markup.inlineKeyboard(rows);
  };

  return {
    name: textStep('name', 'name', (text) => validateNgoName(text), { back: options.firstStepHasBack ?? false }),
    // Corrected from the summary, the number is checked against registered NGOs again.
    registration_number: textStep('registration_number', 'registrationNumber', (text) => validateRegistrationNumber(text), {
      after: (ctx, data) => (data.authority ? identityKnown(ctx, data) : Promise.resolve(next)),
    }),
    authority: {
      id: 'authority',
      wrongInputKey: 'forms.use_buttons',
      ask: async (ctx) => {
        const buttons = AUTHORITIES.map((a) => Markup.button.callback(ctx.t(`ngo.authorities.${a}`), cb('authority', a)));
        const rows = [];
        for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
        await ctx.reply(ctx.t('ngo.form.ask_authority'), Markup.inlineKeyboard(rows));
      },
      onCallback: async (ctx, arg, data) => {
        if (!isAuthority(arg)) return stay;
        data.authority = arg;
        if (arg === 'OTHER') return goto('authority_other');
        data.authorityOther = null;
        const outcome = await identityKnown(ctx, data);
        return outcome.type === 'next' ? goto('fields') : outcome;
      },
    },
    authority_other: textStep('authority_other', 'authorityOther', (text) => validateAuthorityOther(text), {
      after: (ctx, data) => identityKnown(ctx, data),
    }),
    fields: {
      id: 'fields',
      wrongInputKey: 'forms.use_buttons',
      ask: async (ctx, data) => {
        await ctx.reply(ctx.t('ngo.form.ask_fields'), await fieldsKeyboard(ctx, data));
      },
      onCallback: async (ctx, arg, data) => {
        const chosen = new Set((data.fieldIds as number[] | undefined) ?? []);
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
        await ctx.editMessageReplyMarkup((await fieldsKeyboard(ctx, data)).reply_markup).catch(() => {});
        return stay;
      },
    },
    county: {
      id: 'county',
      wrongInputKey: 'forms.use_buttons',
      ask: async (ctx) => {
        const { counties } = await ctx.services.ngos.referenceLists();
        const buttons = counties.map((c) => Markup.button.callback(c.name, cb('county', `c${c.id}`)));
        const rows = [];
        for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
        await ctx.reply(ctx.t('ngo.form.ask_county'), Markup.inlineKeyboard(rows));
      },
      onCallback: async (ctx, arg, data) => {
        const id = /^c(\d{1,9})$/.exec(arg)?.[1];
        const { counties } = await ctx.services.ngos.referenceLists();
        const county = counties.find((c) => c.id === Number(id));
        if (!county) return stay;
        data.countyId = county.id;
        await ctx.editMessageText(`${ctx.t('ngo.form.ask_county')}\n✅ ${escapeHtml(county.name)}`, { parse_mode: 'HTML' }).catch(() => {});
        return next;
      },
    },
    founded_year: textStep('founded_year', 'foundedYear', (text, ctx) => validateFoundedYear(text, new Date(ctx.message ? ctx.message.date * 1000 : Date.now())), {
      optional: true,
    }),
    member_count: textStep('member_count', 'memberCount', (text) => validateMemberCount(text), { optional: true }),
    manager_name: textStep('manager_name', 'managerName', (text) => validateManagerName(text)),
    phone: {
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
    },
    description: textStep('description', 'description', (text) => validateDescription(text), { optional: true }),
  };
}
