/**
 * The manager's edits of the NGO's record, as a form: pick an item, answer the same question as in the
 * registration (same step, same validation), and the change is applied at once. Whether the NGO goes
 * back to review is the service's decision (name, number and authority identify the NGO).
 */
import { Markup } from 'telegraf';
import type { BotContext } from '../../platform/bot/context.js';
import { end, goto, next, stay, FormRunner, type FormStep } from '../../platform/bot/forms/engine.js';
import { CHANGE_OF, endingInApply } from './edit-steps.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { dropButtons, refusalText } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { mainMenu } from '../start/index.js';
import { factValue, ngoSummary } from './notices.js';
import type { Authority, NgoRecord } from './rules.js';
import { createNgoSteps, EDITABLE_STEPS, editItemRows, isEditableStep, type EditableStep, type NgoAnswers } from './steps.js';
import { officeContactParams } from '../staff/index.js';

interface EditAnswers extends NgoAnswers {
  /** The item being edited. */
  __field?: EditableStep;
}

const cb = (step: string, arg: string) => profileEditForm.callbackData(step, arg);

/**
 * The manager's NGO, read again on every answer: the manager may have been replaced or the NGO
 * suspended since the form started.
 */
async function managedNgo(ctx: BotContext): Promise<NgoRecord> {
  const membership = await ctx.services.ngos.membershipOf(ctx.user.id);
  if (!membership) throw new AppError('ngo.errors.no_ngo');
  if (membership.role !== 'MANAGER') throw new AppError('ngo.errors.manager_only');
  if (membership.ngo.status === 'SUSPENDED') throw new AppError('ngo.errors.suspended', officeContactParams());
  return membership.ngo;
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
    if (!data.authority) return next;
    const taken = await takenByAnother(ctx, data.authority, data.authorityOther ?? null, ngo.registrationNumber);
    return taken ? stay : next;
  },
});

/** The registration number is checked against the NGO's current authority (the authority step checks the other way). */
function checkingNumber(step: FormStep<NgoAnswers>): FormStep<NgoAnswers> {
  const onText = step.onText!;
  return {
    ...step,
    onText: async (ctx, text, data) => {
      const outcome = await onText(ctx, text, data);
      if (outcome.type !== 'next' || data.registrationNumber === undefined) return outcome;
      const ngo = await managedNgo(ctx);
      const taken = await takenByAnother(ctx, ngo.authority as Authority, ngo.authorityOther ?? null, data.registrationNumber);
      if (!taken) return outcome;
      delete data.registrationNumber;
      return stay;
    },
  };
}

function chooseKeyboard(ctx: BotContext) {
  const rows = editItemRows(ctx, (s) => cb('choose', s));
  rows.push([Markup.button.callback(ctx.t('profile.edit_cancel'), cb('choose', 'cancel'))]);
  return Markup.inlineKeyboard(rows);
}

const chooseStep: FormStep<EditAnswers> = {
  id: 'choose',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('ngo.profile.edit_choose'), chooseKeyboard(ctx));
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'cancel' && !isEditableStep(arg)) return stay;
    // One choice per menu: the buttons go, so a second tap on this message cannot start a second edit.
    await dropButtons(ctx);
    if (!isEditableStep(arg)) {
      await ctx.reply(ctx.t('profile.edit_cancelled'), mainMenu(ctx));
      return end;
    }
    let ngo: NgoRecord;
    try {
      ngo = await managedNgo(ctx);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ctx.reply(refusalText(ctx, err), mainMenu(ctx));
      return end;
    }
    data.__field = arg;
    // The multi-select starts from the NGO's fields, so one tap adds or removes one field.
    if (arg === 'fields') data.fieldIds = [...ngo.fieldIds];
    else await ctx.reply(ctx.t('profile.current_value', { value: factValue(ctx, ngo, arg === 'phone' ? 'manager_phone' : arg) }), { parse_mode: 'HTML' });
    return goto(arg);
  },
};

/** Applies the answer and ends the form, whatever the service says: a failed edit is not retried by the next message. */
const applyStep: FormStep<EditAnswers> = {
  id: 'apply',
  ask: async (ctx, data) => {
    try {
      const field = data.__field;
      if (!isEditableStep(field)) throw new AppError('common.errors.stale_button');
      const { ngo, backToReview } = await ctx.services.ngos.updateProfile(ctx.user.id, CHANGE_OF[field](data));
      const summary = ngoSummary(ctx, ngo, { withPhone: true });
      await ctx.reply(`${ctx.t(backToReview ? 'ngo.profile.edited_review' : 'ngo.profile.edited')}\n\n${summary}`, {
        parse_mode: 'HTML',
        ...mainMenu(ctx),
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ctx.reply(refusalText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
    } finally {
      ctx.session.form = undefined;
    }
  },
};

export const profileEditForm = new FormRunner<EditAnswers>({
  name: 'ngo_profile_edit',
  titleKey: 'ngo.profile.edit_title',
  prefix: 'pedit',
  steps: [
    chooseStep,
    ...EDITABLE_STEPS.flatMap((id) => (id === 'authority' ? [steps.authority, steps.authority_other] : [steps[id]])).map((step) =>
      endingInApply<EditAnswers>(step.id === 'registration_number' ? checkingNumber(step) : step),
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
