/**
 * Which NGO? The step any staff form uses to ask it: the admin types part of the NGO's name (however
 * it is spelt: see search-rules.ts) or its tracking or registration number, and presses one of the
 * matching NGOs, a page at a time. The search is the office's one search (search-service.ts), scoped to
 * the admin's counties; the form decides what a pick means (`pick`), and checks it.
 *
 * The query is kept in the form's data, so the page buttons work for as long as the form does.
 */
import type { InlineKeyboardButton } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { stay, type FormRunner, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard } from '../../platform/bot/forms/keyboards.js';
import { dropButtons, editOrSend, refusalText, send, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { hitLabel, resultsText } from './manage-notices.js';
import type { NgoStatus } from './rules.js';
import type { SearchPage } from './search-service.js';

/** Results per page: eight buttons still fit a phone screen with the question above them. */
export const PICKER_PAGE_SIZE = 8;

/** What the picker keeps in its form's data. */
export interface NgoPickerData {
  /** The last search, as typed. */
  ngoQuery?: string;
  ngoPage?: number;
}

export interface NgoPickerOptions<D extends NgoPickerData> {
  /** The step's id in its form. */
  id: string;
  /** The form the step belongs to (a function: the form is made after its steps). */
  form: () => FormRunner<D>;
  /** The question. */
  askKey: string;
  /** Only NGOs in these statuses are offered; all when absent (their status is then on the button). */
  statuses?: readonly NgoStatus[];
  /** Whether the question offers "back" (a form's first step has nowhere to go back to); default true. */
  back?: boolean;
  /** Said when nothing matches ({{query}}); by default ngo.search.no_match. */
  noMatchKey?: string;
  /** A result button's callback data when pressing it is not a pick in this form (default: a pick). */
  resultButton?: (ngoId: number) => string;
  /** The NGO chosen: a result pressed, a number that names one NGO, or a tracking number nothing else matches. */
  pick(ctx: BotContext, ngoId: number, data: D): Promise<StepOutcome>;
}

const PAGE = /^p(\d{1,4})$/;
const NGO = /^n([1-9]\d{0,8})$/;

export function ngoPickerStep<D extends NgoPickerData>(options: NgoPickerOptions<D>): FormStep<D> {
  const search = (ctx: BotContext, text: string, page: number) =>
    ctx.services.ngos.search(ctx.user.id, text, { page, pageSize: PICKER_PAGE_SIZE, ...(options.statuses ? { statuses: options.statuses } : {}) });
  const data = (arg: string) => options.form().callbackData(options.id, arg);

  function screen(ctx: BotContext, result: SearchPage, typed: string) {
    const withStatus = !options.statuses || options.statuses.some((s) => s !== 'APPROVED');
    const rows: InlineKeyboardButton[][] = result.items.map((hit) => [
      { text: hitLabel(ctx, hit, withStatus), callback_data: options.resultButton ? options.resultButton(hit.id) : data(`n${hit.id}`) },
    ]);
    const nav: InlineKeyboardButton[] = [];
    if (result.page > 0) nav.push({ text: ctx.t('ngo.review.prev_page'), callback_data: data(`p${result.page - 1}`) });
    if (result.page + 1 < result.pages) nav.push({ text: ctx.t('ngo.review.next_page'), callback_data: data(`p${result.page + 1}`) });
    if (nav.length > 0) rows.push(nav);
    const text = resultsText(ctx, result, typed, options.noMatchKey ?? 'ngo.search.no_match');
    return { text, keyboard: rows.length > 0 ? { inline_keyboard: rows } : undefined };
  }

  /**
   * What was typed: a number that names one NGO picks it; otherwise a page of the NGOs that match.
   * The query is kept only once it gave a list, for the page buttons and for coming back to the step.
   */
  async function answer(ctx: BotContext, typed: string, d: D, page: number): Promise<StepOutcome> {
    delete d.ngoQuery;
    let result: SearchPage;
    try {
      result = await search(ctx, typed, page);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await send(ctx, refusalText(ctx, err));
      return stay;
    }
    if (result.query.kind === 'number') {
      if (result.total === 1) return options.pick(ctx, result.items[0]!.id, d);
      // Nothing within reach: the form says why (another county, not approved, no such NGO).
      if (result.total === 0 && result.query.id !== null) return options.pick(ctx, result.query.id, d);
    }
    d.ngoQuery = typed;
    d.ngoPage = result.page;
    const { text, keyboard } = screen(ctx, result, typed);
    await send(ctx, text, keyboard);
    return stay;
  }

  return {
    id: options.id,
    ask: async (ctx, d) => {
      // Coming back to the step, or a form started with a query (/find <text>): the search again. Its
      // outcome cannot move the form from here, so a form that starts the step with a query picks by staying.
      if (d.ngoQuery) {
        await answer(ctx, d.ngoQuery, d, d.ngoPage ?? 0);
        return;
      }
      await ctx.reply(ctx.t(options.askKey), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: options.back ?? true }) });
    },
    onText: (ctx, text, d) => answer(ctx, text, d, 0),
    onCallback: async (ctx, arg, d) => {
      const page = PAGE.exec(arg)?.[1];
      if (page !== undefined) {
        if (!d.ngoQuery) {
          await staleButton(ctx);
          return stay;
        }
        const result = await search(ctx, d.ngoQuery, Number(page));
        d.ngoPage = result.page;
        const { text, keyboard } = screen(ctx, result, d.ngoQuery);
        await editOrSend(ctx, text, keyboard);
        return stay;
      }
      const id = NGO.exec(arg)?.[1];
      if (id === undefined) return stay;
      const outcome = await options.pick(ctx, Number(id), d);
      // A refused pick leaves the other results to press.
      if (outcome !== stay) await dropButtons(ctx);
      return outcome;
    },
  };
}
