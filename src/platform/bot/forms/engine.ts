/**
 * A small engine for multi-step forms kept in the session (so a restart of the bot loses nothing):
 * each step asks, validates its answer through the domain, stores it, and says which step is next.
 * "Back" returns to the previous step, /cancel leaves (cancel feature), a button from an older step or
 * an older form is answered as stale and changes nothing.
 */
import type { Message } from 'telegraf/types';
import type { BotContext, SessionData } from '../context.js';

export type FormData = Record<string, unknown>;

/** What the engine itself keeps in a form's data: the steps answered (for "back") and the edit flag. */
export interface FormBookkeeping {
  __history?: string[];
  /** Set by a summary's "edit" button: the edited step returns to the summary instead of going on. */
  __editing?: boolean;
}

export type StepOutcome =
  /** Stay on this step (the step has already explained what was wrong). */
  | { type: 'stay' }
  | { type: 'next' }
  | { type: 'goto'; step: string }
  /** The form is over (the step has already replied). */
  | { type: 'end' };

export const stay: StepOutcome = { type: 'stay' };
export const next: StepOutcome = { type: 'next' };
export const end: StepOutcome = { type: 'end' };
export const goto = (step: string): StepOutcome => ({ type: 'goto', step });

export interface FormStep<D extends object = FormData> {
  id: string;
  ask(ctx: BotContext, data: D & FormBookkeeping): Promise<void>;
  onText?(ctx: BotContext, text: string, data: D & FormBookkeeping): Promise<StepOutcome>;
  onCallback?(ctx: BotContext, arg: string, data: D & FormBookkeeping): Promise<StepOutcome>;
  onContact?(ctx: BotContext, contact: Message.ContactMessage['contact'], message: Message.ContactMessage, data: D & FormBookkeeping): Promise<StepOutcome>;
  /**
   * Any message (text with entities, photo, document, video...), for a step that takes the message
   * itself rather than its text. Commands and the "back" label still reach their usual handling.
   */
  onMessage?(ctx: BotContext, message: Message, data: D & FormBookkeeping): Promise<StepOutcome>;
  /** Shown when a message of a kind this step cannot take arrives (a photo where text is asked). */
  wrongInputKey?: string;
}

export interface FormDefinition<D extends object = FormData> {
  name: string;
  /** i18n key of the form's title, used when the user comes back to it. */
  titleKey: string;
  /** Callback prefix of this form's buttons (`<prefix>:<step>.<arg>`). */
  prefix: string;
  steps: FormStep<D>[];
  /** Where a step that finishes while editing from the summary returns. */
  summaryStep?: string;
  /** Recognises the "back" label of the reply keyboard. */
  isBack(ctx: BotContext, text: string): boolean;
  /**
   * Checked before every answer is taken (the form router does not pass through a feature's own
   * guards): staff forms re-check the role here, so someone removed half-way cannot finish. A guard
   * that says no has told the user why; the form is then closed.
   */
  guard?(ctx: BotContext): Promise<boolean>;
}

type ActiveForm = NonNullable<SessionData['form']>;

export class FormRunner<D extends object = FormData> {
  constructor(private readonly form: FormDefinition<D>) {}

  get name(): string {
    return this.form.name;
  }

  get titleKey(): string {
    return this.form.titleKey;
  }

  async start(ctx: BotContext, data: D = {} as D, step = this.form.steps[0]!.id): Promise<void> {
    ctx.session.form = { name: this.form.name, step, data: data as FormData, startedAt: new Date().toISOString() };
    await this.stepById(step).ask(ctx, data);
  }

  isActive(ctx: BotContext): boolean {
    return ctx.session?.form?.name === this.form.name;
  }

  /** Asks the current step again, e.g. when the user comes back to a form left half-way. */
  async resume(ctx: BotContext): Promise<void> {
    const active = ctx.session.form!;
    await this.stepById(active.step).ask(ctx, this.dataOf(active));
  }

  callbackData(step: string, arg: string): string {
    return `${this.form.prefix}:${step}.${arg}`;
  }

  /** Handles an update while this form is active; false when the update is not for the form. */
  async handle(ctx: BotContext): Promise<boolean> {
    const active = ctx.session.form as ActiveForm;
    const step = this.stepById(active.step);
    const data = this.dataOf(active);
    const message = ctx.message;
    let outcome: StepOutcome | undefined;

    if (ctx.callbackQuery) {
      const pressed = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
      const match = pressed ? new RegExp(`^${this.form.prefix}:([a-z_]{1,20})\\.([A-Za-z0-9_-]{1,30})$`).exec(pressed) : null;
      if (!match) return false;
      if (!(await this.allowed(ctx))) return true;
      if (match[1] !== active.step || !step.onCallback) {
        await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
        return true;
      }
      outcome = await step.onCallback(ctx, match[2]!, data);
      await ctx.answerCbQuery().catch(() => {}); // a step may have answered already
    } else if (!message) {
      return false;
    } else if ('text' in message && message.text.startsWith('/')) {
      return false; // commands keep working inside a form
    } else if (!(await this.allowed(ctx))) {
      return true;
    } else if (step.onMessage && !('text' in message && this.form.isBack(ctx, message.text))) {
      outcome = await step.onMessage(ctx, message, data);
    } else if ('text' in message) {
      if (this.form.isBack(ctx, message.text)) {
        await this.back(ctx);
        return true;
      }
      outcome = step.onText ? await step.onText(ctx, message.text, data) : undefined;
    } else if ('contact' in message && step.onContact) {
      outcome = await step.onContact(ctx, message.contact, message, data);
    }

    if (!outcome) {
      await ctx.reply(ctx.t(step.wrongInputKey ?? 'forms.wrong_input'));
      await step.ask(ctx, data);
      return true;
    }
    await this.apply(ctx, outcome);
    return true;
  }

  private dataOf(active: ActiveForm): D & FormBookkeeping {
    return active.data as D & FormBookkeeping;
  }

  private async allowed(ctx: BotContext): Promise<boolean> {
    if (!this.form.guard || (await this.form.guard(ctx))) return true;
    ctx.session.form = undefined;
    return false;
  }

  private async apply(ctx: BotContext, outcome: StepOutcome): Promise<void> {
    const active = ctx.session.form as ActiveForm;
    if (outcome.type === 'stay') return;
    if (outcome.type === 'end') {
      ctx.session.form = undefined;
      return;
    }
    let target: string;
    if (outcome.type === 'goto') target = outcome.step;
    else if (active.data.__editing && this.form.summaryStep) target = this.form.summaryStep;
    else target = this.form.steps[this.indexOf(active.step) + 1]!.id;
    if (target === this.form.summaryStep) delete active.data.__editing;
    active.data.__history = [...((active.data.__history as string[]) ?? []), active.step];
    active.step = target;
    ctx.session.form = { ...active };
    await this.stepById(target).ask(ctx, this.dataOf(active));
  }

  private async back(ctx: BotContext): Promise<void> {
    const active = ctx.session.form as ActiveForm;
    const history = [...((active.data.__history as string[]) ?? [])];
    const previous = history.pop();
    if (!previous) {
      await this.stepById(active.step).ask(ctx, this.dataOf(active));
      return;
    }
    active.data.__history = history;
    active.step = previous;
    ctx.session.form = { ...active };
    await this.stepById(previous).ask(ctx, this.dataOf(active));
  }

  private indexOf(id: string): number {
    const index = this.form.steps.findIndex((s) => s.id === id);
    if (index < 0) throw new Error(`unknown step ${id} in form ${this.form.name}`);
    return index;
  }

  private stepById(id: string): FormStep<D> {
    return this.form.steps[this.indexOf(id)]!;
  }
}

/** Any form, whatever its data: what registries and the router hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFormRunner = FormRunner<any>;
