/**
 * The office corrects one item of an NGO's record: the registration's own question for that item (same
 * step, same validation), then the change applies at once, if the NGO is still as the admin's button
 * saw it. Staff only, re-checked on every answer; the service checks the scope and the version again.
 */
import type { BotContext } from '../../platform/bot/context.js';
import { FormRunner, next, stay, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { bestEffort, refusalText } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { staffOnly } from '../staff/index.js';
import { mainMenu } from '../start/index.js';
import { CHANGE_OF, endingInApply } from './edit-steps.js';
import { currentValue } from './manage-notices.js';
import { validateMobile, type NgoRecord } from './rules.js';
import { showStaffProfile } from './staff-card.js';
import { createNgoSteps, EDITABLE_STEPS, type EditableStep, type NgoAnswers } from './steps.js';

export interface StaffEditAnswers extends NgoAnswers {
  ngoId: number;
  /** The NGO's version when the admin chose the item (see recordVersion). */
  version: string;
  item: EditableStep;
}

const steps = createNgoSteps({ callback: (step, arg) => staffEditForm.callbackData(step, arg), firstStepHasBack: true });

/** The manager's mobile, typed: the registration's "share my contact" would share the admin's own. */
const phoneStep: FormStep<NgoAnswers> = {
  id: 'phone',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('ngo.manage.ask_phone'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const phone = validateMobile(text);
    if (!phone.ok) {
      await ctx.reply(ctx.t('ngo.errors.phone.format'));
      return stay;
    }
    data.managerPhone = phone.value;
    return next;
  },
};

/** Applies the answer and ends the form whatever the service says: a refused edit is not retried by the next message. */
const applyStep: FormStep<StaffEditAnswers> = {
  id: 'apply',
  ask: async (ctx, data) => {
    try {
      const { ngo } = await ctx.services.ngos.editByStaff(ctx.user.id, data.ngoId, data.version, CHANGE_OF[data.item](data));
      await ctx.reply(ctx.t('ngo.manage.edited', { name: escapeHtml(ngo.name) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
      await showStaffProfile(ctx, ngo.id, false);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ctx.reply(refusalText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
      // Changed meanwhile: the NGO as it now is, to decide again from.
      if (err.code === 'ngo.manage.changed') await bestEffort(() => showStaffProfile(ctx, data.ngoId, false));
    } finally {
      ctx.session.form = undefined;
    }
  },
};

export const staffEditForm: FormRunner<StaffEditAnswers> = new FormRunner<StaffEditAnswers>({
  name: 'ngo_staff_edit',
  titleKey: 'ngo.manage.edit_title',
  prefix: 'sedit',
  guard: staffOnly,
  steps: [
    ...EDITABLE_STEPS.flatMap((id) => (id === 'authority' ? [steps.authority, steps.authority_other] : [id === 'phone' ? phoneStep : steps[id]])).map((step) =>
      endingInApply<StaffEditAnswers>(step),
    ),
    applyStep,
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

/** Shows the item's current value and asks for the new one. */
export async function startStaffEdit(ctx: BotContext, ngo: NgoRecord, version: string, item: EditableStep): Promise<void> {
  // The multi-select starts from the NGO's fields, so one tap adds or removes one field.
  const data: StaffEditAnswers = { ngoId: ngo.id, version, item, ...(item === 'fields' ? { fieldIds: [...ngo.fieldIds] } : {}) };
  await ctx.reply(ctx.t('ngo.manage.editing', { name: escapeHtml(ngo.name) }), { parse_mode: 'HTML', ...formKeyboard(ctx) });
  if (item !== 'fields') await ctx.reply(currentValue(ctx, ngo, item === 'phone' ? 'manager_phone' : item), { parse_mode: 'HTML' });
  await staffEditForm.start(ctx, data, item);
}
