/** Registration of an NGO by its manager: a multi-step form, a summary, then review by the office. */
import { Composer, Markup } from 'telegraf';
import type { Authority } from './rules.js';
import { toPersianDigits } from '../../platform/text/index.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { RegistrationDraft } from './service.js';
import type { BotContext } from '../../platform/bot/context.js';
import { end, goto, next, stay, FormRunner, type FormData, type FormStep } from '../../platform/bot/forms/engine.js';
import { isLabel } from '../../platform/bot/forms/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { createNgoSteps, EDITABLE_STEPS, STEP_ORDER, type StepId } from './steps.js';

const PREFIX = 'reg';

const cb = (step: string, arg: string) => `${PREFIX}:${step}.${arg}`;

/** Tells the user at once when the NGO is already registered, instead of after ten questions. */
async function stopIfRegistered(ctx: BotContext, data: FormData) {
  const existing = await ctx.services.ngos.findRegistered(
    data.authority as Authority,
    data.authorityOther as string | null,
    data.registrationNumber as string,
  );
  if (!existing) return next;
  await ctx.reply(ctx.t('ngo.errors.duplicate', { name: existing.name }), mainMenu(ctx));
  return end;
}

function draftOf(data: FormData): RegistrationDraft {
  return {
    name: data.name as string,
    registrationNumber: data.registrationNumber as string,
    authority: data.authority as Authority,
    authorityOther: (data.authorityOther as string | null) ?? null,
    fieldIds: (data.fieldIds as number[]) ?? [],
    countyId: data.countyId as number,
    foundedYear: (data.foundedYear as number | null) ?? null,
    memberCount: (data.memberCount as number | null) ?? null,
    managerName: data.managerName as string,
    managerPhone: data.managerPhone as string,
    description: (data.description as string | null) ?? null,
  };
}

async function summaryText(ctx: BotContext, data: FormData): Promise<string> {
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const draft = draftOf(data);
  const summary = ctx.services.ngos.renderSummary(ctx.lang, {
    ...draft,
    county: counties.find((c) => c.id === draft.countyId)?.name ?? '—',
    fields: fields.filter((f) => draft.fieldIds.includes(f.id)).map((f) => f.name),
  });
  return `${ctx.t('ngo.form.summary_title')}\n\n${summary}`;
}

const summaryStep: FormStep = {
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
      await ctx.editMessageReplyMarkup(undefined).catch(() => {});
      await ctx.reply(
        ctx.t('ngo.form.submitted', { name: escapeHtml(ngo.name), id: ctx.lang === 'fa' ? toPersianDigits(ngo.id) : ngo.id }),
        { parse_mode: 'HTML', ...mainMenu(ctx) },
      );
      return end;
    }
    if (arg === 'cancel') {
      await ctx.editMessageReplyMarkup(undefined).catch(() => {});
      await ctx.reply(ctx.t('ngo.form.cancelled'), mainMenu(ctx));
      return end;
    }
    if (arg === 'edit') {
      const buttons = EDITABLE_STEPS.map((s) => Markup.button.callback(ctx.t(`ngo.form.edit_labels.${s}`), cb('summary', `e_${s}`)));
      const rows = [];
      for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
      await ctx.reply(ctx.t('ngo.form.choose_field_to_edit'), Markup.inlineKeyboard(rows));
      return stay;
    }
    const step = /^e_([a-z_]+)$/.exec(arg)?.[1] as StepId | undefined;
    if (!step || !(EDITABLE_STEPS as StepId[]).includes(step)) return stay;
    // After the corrected answer the form comes back here rather than walking the remaining steps.
    data.__editing = true;
    return goto(step);
  },
};

const steps = createNgoSteps({ callback: cb, onIdentityKnown: stopIfRegistered });

export const registrationForm = new FormRunner({
  name: 'ngo_registration',
  titleKey: 'ngo.form.title',
  prefix: PREFIX,
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

export const ngoRegistrationFeature = new Composer<BotContext>();
ngoRegistrationFeature.command('register', startRegistration);
