/**
 * /audit: the office's recent actions, ten to a page, filtered by staff member, kind of action and NGO.
 * `/audit 12` opens NGO 12's trail; `/audit <part of a name>` offers the matching NGOs as buttons. Every
 * command and press passes requireAdmin, and the service reads the caller's scope from the database;
 * the buttons carry only the filters, so a forged one can show no more than the caller's own scope.
 */
import type { BotContext } from '../../platform/bot/context.js';
import { Handlers } from '../../platform/bot/handlers.js';
import { editOrSend, send, staleButton } from '../../platform/bot/ui.js';
import { normalizeInput } from '../../platform/text/persian-text.js';
import { requireAdmin } from '../staff/index.js';
import { auditButtons } from './callbacks.js';
import { actorPicker, auditScreen, groupPicker, ngoHint, ngoMatches, type Screen } from './notices.js';
import { DEFAULT_STATE, parseState, type ListState } from './rules.js';
import { AUDIT_PAGE_SIZE } from './service.js';

/** NGOs offered as buttons for `/audit <name>`: more means the admin should type more of the name. */
const NGO_MATCHES_MAX = 8;

/** The page asked for, or the last one when the list has shrunk below it. */
async function auditView(ctx: BotContext, requested: ListState): Promise<Screen> {
  const audit = ctx.services.audit;
  let state = requested;
  let page = await audit.page(ctx.user.id, state, state.page);
  if (page.entries.length === 0 && page.total > 0) {
    state = { ...state, page: Math.ceil(page.total / AUDIT_PAGE_SIZE) - 1 };
    page = await audit.page(ctx.user.id, state, state.page);
  }
  const names: { actor?: string; ngo?: string } = {};
  if (state.ngo) names.ngo = await audit.ngoName(ctx.user.id, state.ngo);
  if (state.actor) names.actor = (await audit.actors(ctx.user.id, state)).find((a) => a.id === state.actor)?.name;
  return auditScreen(ctx, state, page, names);
}

export const auditFeature = new Handlers<BotContext>();

auditFeature.command('audit', requireAdmin, async (ctx) => {
  const arg = normalizeInput(ctx.payload).replace(/^#/, '');
  if (/^[1-9]\d{0,8}$/.test(arg)) {
    const { text, keyboard } = await auditView(ctx, { ...DEFAULT_STATE, ngo: Number(arg) });
    return send(ctx, text, keyboard);
  }
  if (arg) {
    // The office's one NGO search (features/ngos): scoped, and tolerant of spelling, digits and spacing.
    const found = await ctx.services.ngos.search(ctx.user.id, arg, { page: 0, pageSize: NGO_MATCHES_MAX });
    const { text, keyboard } = ngoMatches(ctx, arg, { ngos: found.items, more: found.total > found.items.length });
    return send(ctx, text, keyboard);
  }
  const { text, keyboard } = await auditView(ctx, DEFAULT_STATE);
  await send(ctx, text, keyboard);
});

/** A button carrying the list's state: the screen it leads to; a forged or malformed press is stale. */
function onStateButton(action: (typeof auditButtons)['list'], screen: (ctx: BotContext, state: ListState) => Promise<Screen>) {
  auditFeature.action(action.trigger, requireAdmin, async (ctx) => {
    const state = parseState(action.parse(ctx));
    if (!state) return staleButton(ctx);
    const { text, keyboard } = await screen(ctx, state);
    await editOrSend(ctx, text, keyboard);
  });
}

onStateButton(auditButtons.list, auditView);
onStateButton(auditButtons.actors, async (ctx, state) => actorPicker(ctx, state, await ctx.services.audit.actors(ctx.user.id, state)));
onStateButton(auditButtons.groups, async (ctx, state) => groupPicker(ctx, state));
onStateButton(auditButtons.ngoHint, async (ctx, state) => ngoHint(ctx, state));
