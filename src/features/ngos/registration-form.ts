/** Registration of an NGO by its manager: a multi-step form, a summary, then review by the office. */
import { Markup } from 'telegraf';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { BotContext } from '../../platform/bot/context.js';
import { end, goto, next, stay, FormRunner, type FormStep } from '../../platform/bot/forms/engine.js';
import { isLabel } from '../../platform/bot/forms/keyboards.js';
import { dropButtons } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { mainMenu, refreshCommandMenu } from '../start/index.js';
import { ngoSummary } from './notices.js';
import type { RegistrationDraft } from './rules.js';
import { createNgoSteps, editItemRows, isEditableStep, STEP_ORDER, type NgoAnswers } from './steps.js';
import { Handlers } from '../../platform/bot/handlers.js';

const cb = (step: string, arg: string) => registrationForm.callbackData(step, arg);

/** Tells the user at once when the NGO is already registered, instead of after ten questions. */
async function stopIfRegistered(ctx: BotContext, data: NgoAnswers) {
  if (!data.authority || !data.registrationNumber) return next;
  const existing = await ctx.services.ngos.findRegistered(data.authority, data.authorityOther, data.registrationNumber);
  if (!existing) return next;
  await ctx.reply(ctx.t('ngo.errors.duplicate', { name: existing.name }), mainMenu(ctx));
  return end;
}

/** The answers as a draft; the summary is reached only once every required one is given. */
function draftOf(data: NgoAnswers): RegistrationDraft {
  const { name, registrationNumber, authority, countyId, managerName, managerPhone } = data;
  if (!name || !registrationNumber || !authority || countyId === undefined || !managerName || !managerPhone) {
    throw new AppError('common.errors.stale_button');
  }
  return {
    name,
    registrationNumber,
    authority,
    authorityOther: data.authorityOther ?? null,
    fieldIds: data.fieldIds ?? [],
    countyId,
    foundedYear: data.foundedYear ?? null,
    memberCount: data.memberCount ?? null,
    managerName,
    managerPhone,
    description: data.description ?? null,
  };
}

async function summaryText(ctx: BotContext, data: NgoAnswers): Promise<string> {
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const draft = draftOf(data);
  const summary = ngoSummary(ctx, {
    ...draft,
    county: counties.find((c) => c.id === draft.countyId)?.name ?? '—',
    fields: fields.filter((f) => draft.fieldIds.includes(f.id)).map((f) => f.name),
  });
  return `${ctx.t('ngo.form.summary_title')}\n\n${summary}`;
}

const summaryStep: FormStep<NgoAnswers> = {
  id: 'summary',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    await ctx.reply(await summaryText(ctx, data), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [Markup.button.callback(ctx.t('ngo.form.confirm'), cb('summary', 'confirm'))],
        [Markup.button.callback(ctx.t('ngo.form.edit'), cb('summary', 'edit')), Markup.button.callback(ctx.t('ngo.form.cancel'), cb('summary', 'cancel'))],
      ]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg === 'confirm') {
      const ngo = await ctx.services.ngos.register(ctx.user.id, draftOf(data));
      await dropButtons(ctx);
      await ctx.reply(ctx.t('ngo.form.submitted', { name: escapeHtml(ngo.name), id: ctx.fmt.digits(ngo.id) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
      await refreshCommandMenu(ctx); // now its manager: /invite and /members, no /register
      return end;
    }
    if (arg === 'cancel') {
      await dropButtons(ctx);
      await ctx.reply(ctx.t('ngo.form.cancelled'), mainMenu(ctx));
      return end;
    }
    if (arg === 'edit') {
      await ctx.reply(ctx.t('ngo.form.choose_field_to_edit'), Markup.inlineKeyboard(editItemRows(ctx, (s) => cb('summary', `e_${s}`))));
      return stay;
    }
    const step = /^e_([a-z_]+)$/.exec(arg)?.[1];
    if (!isEditableStep(step)) return stay;
    // After the corrected answer the form comes back here rather than walking the remaining steps.
    data.__editing = true;
    return goto(step);
  },
};

const steps = createNgoSteps({ callback: cb, onIdentityKnown: stopIfRegistered });

export const registrationForm = new FormRunner<NgoAnswers>({
  name: 'ngo_registration',
  titleKey: 'ngo.form.title',
  prefix: 'reg',
  steps: [...STEP_ORDER.map((id) => steps[id]), summaryStep],
  summaryStep: 'summary',
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

/** Starts the form unless the user already belongs to an NGO (one NGO per person). */
export async function startRegistration(ctx: BotContext): Promise<void> {
  const membership = await ctx.services.ngos.membershipOf(ctx.user.id);
  if (membership) {
    await ctx.reply(ctx.t('ngo.errors.already_member'), mainMenu(ctx));
    return;
  }
  await ctx.reply(ctx.t('ngo.form.intro'));
  await registrationForm.start(ctx);
}

export const ngoRegistrationFeature = new Handlers<BotContext>();
ngoRegistrationFeature.command('register', startRegistration);
