/**
 * The manager's edits of the NGO's record, as a form: pick an item, answer the same question as in the
 * registration (same step, same validation), and the change is applied at once. Whether the NGO goes
 * back to review is the service's decision (name, number and authority identify the NGO).
 *
 * This lives apart from ngo-profile.ts because FORMS (forms/index.ts) must import the form while
 * ngo-profile.ts imports start.ts, which imports FORMS: one module for both would be an import cycle
 * in which either FORMS or the deep-link registry is read before it exists.
 */
import { Markup } from 'telegraf';
import type { Authority } from './rules.js';
import { formatIranMobileForDisplay } from '../../platform/text/phone.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { authorityLabel, digitsFor } from './notices.js';
import { AppError } from '../../platform/errors.js';
import type { Membership, NgoRecord, RegistrationDraft } from './service.js';
import type { BotContext } from '../../platform/bot/context.js';
import { end, goto, next, stay, FormRunner, type FormData, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { createNgoSteps, EDITABLE_STEPS, type EditableStep, type StepId } from './steps.js';

const PREFIX = 'pedit';
const cb = (step: string, arg: string) => `${PREFIX}:${step}.${arg}`;

const isEditable = (value: string): value is EditableStep => (EDITABLE_STEPS as string[]).includes(value);

/** What each item's answer changes in the record (the steps store answers under the draft's keys). */
const CHANGE_OF: Record<EditableStep, (data: FormData) => Partial<RegistrationDraft>> = {
  name: (d) => ({ name: d.name as string }),
  registration_number: (d) => ({ registrationNumber: d.registrationNumber as string }),
  authority: (d) => ({ authority: d.authority as Authority, authorityOther: (d.authorityOther as string | null | undefined) ?? null }),
  fields: (d) => ({ fieldIds: d.fieldIds as number[] }),
  county: (d) => ({ countyId: d.countyId as number }),
  founded_year: (d) => ({ foundedYear: (d.foundedYear as number | null | undefined) ?? null }),
  member_count: (d) => ({ memberCount: (d.memberCount as number | null | undefined) ?? null }),
  manager_name: (d) => ({ managerName: d.managerName as string }),
  phone: (d) => ({ managerPhone: d.managerPhone as string }),
  description: (d) => ({ description: (d.description as string | null | undefined) ?? null }),
};

/**
 * The manager's NGO, read again on every answer: the manager may have been replaced or the NGO
 * suspended since the form started.
 */
async function managedNgo(ctx: BotContext): Promise<Membership['ngo']> {
  const membership = await ctx.services.ngos.membershipOf(ctx.user.id);
  if (!membership) throw new AppError('ngo.errors.no_ngo');
  if (membership.role !== 'MANAGER') throw new AppError('ngo.errors.manager_only');
  if (membership.ngo.status === 'SUSPENDED') throw new AppError('ngo.errors.suspended');
  return membership.ngo;
}

function currentValue(ctx: BotContext, ngo: NgoRecord, field: EditableStep): string {
  const dash = '—';
  const t = (key: string, o?: Record<string, unknown>) => ctx.t(key, o);
  switch (field) {
    case 'name':
      return escapeHtml(ngo.name);
    case 'registration_number':
      return digitsFor(ctx.lang, ngo.registrationNumber);
    case 'authority':
      return authorityLabel(t, ngo.authority, ngo.authorityOther);
    case 'fields':
      return ngo.fields.map(escapeHtml).join(ctx.t('ngo.summary.list_separator'));
    case 'county':
      return escapeHtml(ngo.county);
    case 'founded_year':
      return ngo.foundedYear ? digitsFor(ctx.lang, ngo.foundedYear) : dash;
    case 'member_count':
      return ngo.memberCount ? digitsFor(ctx.lang, ngo.memberCount) : dash;
    case 'manager_name':
      return escapeHtml(ngo.managerName);
    case 'phone':
      return ctx.lang === 'fa' ? formatIranMobileForDisplay(ngo.managerPhone) : ngo.managerPhone;
    case 'description':
      return ngo.description ? escapeHtml(ngo.description) : dash;
  }
}

/** Another NGO already holds this number from this authority: say so before anything is saved. */
async function takenByAnother(ctx: BotContext, authority: Authority, authorityOther: string | null, registrationNumber: string): Promise<boolean> {
  const ngo = await managedNgo(ctx);
  const existing = await ctx.services.ngos.findRegistered(authority, authorityOther, registrationNumber);
  if (!existing || existing.id === ngo.id) return false;
  await ctx.reply(ctx.t('profile.duplicate_identity'));
  return true;
}

const steps = createNgoSteps({
  callback: cb,
  firstStepHasBack: true,
  onIdentityKnown: async (ctx, data) => {
    const ngo = await managedNgo(ctx);
    const taken = await takenByAnother(ctx, data.authority as Authority, (data.authorityOther as string | null) ?? null, ngo.registrationNumber);
    return taken ? stay : next;
  },
});

/** Steps that belong to one item: the authority's "other" text is part of the authority. */
const SAME_ITEM = new Set<string>(['authority', 'authority_other']);

/**
 * The registration's steps walk on to the next question; here every item ends in 'apply' once its
 * answer is valid, except for a move inside the same item (authority → authority_other).
 */
function endingInApply(step: FormStep): FormStep {
  const redirect = (outcome: StepOutcome): StepOutcome => {
    if (outcome.type === 'next') return goto('apply');
    if (outcome.type === 'goto' && !(SAME_ITEM.has(step.id) && SAME_ITEM.has(outcome.step))) return goto('apply');
    return outcome;
  };
  const wrapped: FormStep = { ...step };
  if (step.onText) wrapped.onText = async (ctx, text, data) => redirect(await step.onText!(ctx, text, data));
  if (step.onCallback) wrapped.onCallback = async (ctx, arg, data) => redirect(await step.onCallback!(ctx, arg, data));
  if (step.onContact) wrapped.onContact = async (ctx, contact, message, data) => redirect(await step.onContact!(ctx, contact, message, data));
  return wrapped;
}

/** The registration number is checked against the NGO's current authority (the authority step checks the other way). */
function checkingNumber(step: FormStep): FormStep {
  return {
    ...step,
    onText: async (ctx, text, data) => {
      const outcome = await step.onText!(ctx, text, data);
      if (outcome.type !== 'next') return outcome;
      const ngo = await managedNgo(ctx);
      const taken = await takenByAnother(ctx, ngo.authority as Authority, ngo.authorityOther ?? null, data.registrationNumber as string);
      if (!taken) return outcome;
      delete data.registrationNumber;
      return stay;
    },
  };
}

function chooseKeyboard(ctx: BotContext) {
  const buttons = EDITABLE_STEPS.map((s) => Markup.button.callback(ctx.t(`ngo.form.edit_labels.${s}`), cb('choose', s)));
  const rows = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  rows.push([Markup.button.callback(ctx.t('profile.edit_cancel'), cb('choose', 'cancel'))]);
  return Markup.inlineKeyboard(rows);
}

const chooseStep: FormStep = {
  id: 'choose',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('ngo.profile.edit_choose'), chooseKeyboard(ctx));
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'cancel' && !isEditable(arg)) return stay;
    // One choice per menu: the buttons go, so a second tap on this message cannot start a second edit.
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    if (arg === 'cancel') {
      await ctx.reply(ctx.t('profile.edit_cancelled'), mainMenu(ctx));
      return end;
    }
    let ngo: NgoRecord;
    try {
      ngo = await managedNgo(ctx);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ctx.reply(ctx.t(err.code), mainMenu(ctx));
      return end;
    }
    data.__field = arg;
    // The multi-select starts from the NGO's fields, so one tap adds or removes one field.
    if (arg === 'fields') data.fieldIds = [...ngo.fieldIds];
    else await ctx.reply(ctx.t('profile.current_value', { value: currentValue(ctx, ngo, arg) }), { parse_mode: 'HTML' });
    return goto(arg);
  },
};

/** Applies the answer and ends the form, whatever the service says: a failed edit is not retried by the next message. */
const applyStep: FormStep = {
  id: 'apply',
  ask: async (ctx, data) => {
    try {
      const field = data.__field as string;
      if (!isEditable(field)) throw new AppError('common.errors.stale_button');
      const { ngo, backToReview } = await ctx.services.ngos.updateProfile(ctx.user.id, CHANGE_OF[field](data));
      const summary = ctx.services.ngos.renderSummary(ctx.lang, ngo, { withPhone: true });
      await ctx.reply(`${ctx.t(backToReview ? 'ngo.profile.edited_review' : 'ngo.profile.edited')}\n\n${summary}`, {
        parse_mode: 'HTML',
        ...mainMenu(ctx),
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const params = Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, escapeHtml(v)]));
      await ctx.reply(ctx.t(err.code, params), { parse_mode: 'HTML', ...mainMenu(ctx) });
    } finally {
      ctx.session.form = undefined;
    }
  },
};

export const profileEditForm = new FormRunner({
  name: 'ngo_profile_edit',
  titleKey: 'ngo.profile.edit_title',
  prefix: PREFIX,
  steps: [
    chooseStep,
    ...EDITABLE_STEPS.flatMap((id) => (id === 'authority' ? [steps.authority, steps.authority_other] : [steps[id]])).map((step) =>
      endingInApply(step.id === 'registration_number' ? checkingNumber(step) : step),
    ),
    applyStep,
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

/** For the manager only, and not while the NGO is suspended (the service would refuse the change at the end). */
export async function startProfileEdit(ctx: BotContext): Promise<void> {
  await managedNgo(ctx);
  await ctx.reply(ctx.t('ngo.profile.edit_title'), formKeyboard(ctx, { back: false }));
  await profileEditForm.start(ctx);
}
