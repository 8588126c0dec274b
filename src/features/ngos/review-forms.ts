/**
 * The reason an admin gives for rejecting or suspending an NGO: asked as a one-step form, because the
 * reason is sent to the NGO's manager. The form re-checks the admin's role on every answer (staffOnly)
 * and the service decides only if the NGO is still where the button found it.
 */
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, stay } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { refusalText } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { validateText } from '../../platform/text/index.js';
import { staffOnly } from '../staff/index.js';
import { mainMenu } from '../start/index.js';
import { decidedCard, decisionDone } from './notices.js';
import type { NgoRecord } from './rules.js';

const REASON_LIMITS = { min: 3, max: 500 } as const;

export interface ReasonAnswers {
  ngoId: number;
  action: 'reject' | 'suspend';
  name: string;
  /** The admin's message the decision started from, redrawn once it is taken. */
  messageId?: number;
  /** The submission a reject button was made for. */
  version?: string;
}

export const reasonForm = new FormRunner<ReasonAnswers>({
  name: 'ngo_reason',
  titleKey: 'review.reason_form_title',
  prefix: 'ngo_rsn',
  guard: staffOnly,
  steps: [
    {
      id: 'reason',
      wrongInputKey: 'ngo.review.reason_required',
      async ask(ctx, data) {
        const key = data.action === 'suspend' ? 'ngo.review.ask_suspend_reason' : 'ngo.review.ask_reject_reason';
        await ctx.reply(ctx.t(key, { name: escapeHtml(data.name) }), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
      },
      async onText(ctx, text, data) {
        const reason = validateText(text, { ...REASON_LIMITS, multiline: true });
        if (!reason.ok) {
          await ctx.reply(ctx.t('ngo.review.reason_required'));
          return stay;
        }
        let ngo: NgoRecord;
        try {
          ngo =
            data.action === 'suspend'
              ? await ctx.services.ngos.suspend(ctx.user.id, data.ngoId, reason.value)
              : await ctx.services.ngos.reject(ctx.user.id, data.ngoId, reason.value, data.version);
        } catch (err) {
          // A refused decision ends the form: typing the reason again cannot change the answer.
          if (!(err instanceof AppError)) throw err;
          await ctx.reply(refusalText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
          return end;
        }
        await ctx.reply(decisionDone(ctx, data.action, ngo.name), { parse_mode: 'HTML', ...mainMenu(ctx) });
        await redrawCard(ctx, data.messageId, decidedCard(ctx, data.action, ngo));
        return end;
      },
    },
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

async function redrawCard(ctx: BotContext, messageId: number | undefined, text: string): Promise<void> {
  if (messageId === undefined || !ctx.chat) return;
  await ctx.telegram
    .editMessageText(ctx.chat.id, messageId, undefined, text, { parse_mode: 'HTML' })
    .catch((err: unknown) => ctx.log.warn({ err }, 'could not update the card the decision started from'));
}
