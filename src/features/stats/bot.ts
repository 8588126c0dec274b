/**
 * /stats for office staff: the chart (a photo), then the NGO figures with buttons for the other sections
 * and for how activity is computed. The command and every press pass requireAdmin, and each use case
 * reads the staff member's scope from the database again: a button says which section, never whose.
 */
import type { BotContext } from '../../platform/bot/context.js';
import { editOrSend, send, staleButton } from '../../platform/bot/ui.js';
import { requireAdmin } from '../staff/index.js';
import { statsChartSvg } from './chart.js';
import {
  broadcastsText,
  chartCaption,
  coursesText,
  deadlinesText,
  feedbackText,
  isSection,
  ngosText,
  ruleText,
  sectionKeyboard,
  STATS_BUTTON,
  type Section,
} from './notices.js';
import { renderPng } from './render.js';
import type { NgoFigures } from './rules.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const statsFeature = new Handlers<BotContext>();

/** The chart as a photo; a drawing that fails costs the picture, not the figures. */
async function sendChart(ctx: BotContext, figures: NgoFigures): Promise<void> {
  let png: Buffer;
  try {
    png = await renderPng(statsChartSvg(ctx, figures));
  } catch (err) {
    ctx.log.error({ err }, 'could not draw the statistics chart');
    await send(ctx, ctx.t('stats.chart.failed'));
    return;
  }
  await ctx.replyWithPhoto({ source: png, filename: 'stats.png' }, { caption: chartCaption(ctx, figures.scope), parse_mode: 'HTML' });
}

async function sectionText(ctx: BotContext, section: Section): Promise<string> {
  const stats = ctx.services.stats;
  switch (section) {
    case 'ngos':
      return ngosText(ctx, await stats.ngos(ctx.user.id));
    case 'courses':
      return coursesText(ctx, await stats.courses(ctx.user.id));
    case 'feedback':
      return feedbackText(ctx, await stats.feedback(ctx.user.id));
    case 'broadcasts':
      return broadcastsText(ctx, await stats.broadcasts(ctx.user.id));
    case 'deadlines':
      return deadlinesText(ctx, await stats.deadlines(ctx.user.id));
    case 'rule':
      // The rule holds no one's figures: requireAdmin's check of the role is all it needs.
      return ruleText(ctx);
  }
}

statsFeature.command('stats', requireAdmin, async (ctx) => {
  const figures = await ctx.services.stats.ngos(ctx.user.id);
  if (ctx.chat) await sendChart(ctx, figures);
  await send(ctx, ngosText(ctx, figures), sectionKeyboard(ctx, 'ngos'));
});

statsFeature.action(STATS_BUTTON.trigger, requireAdmin, async (ctx) => {
  const parsed = STATS_BUTTON.parse(ctx);
  if (!parsed || !isSection(parsed[0])) return staleButton(ctx);
  const section = parsed[0];
  await editOrSend(ctx, await sectionText(ctx, section), sectionKeyboard(ctx, section));
  await ctx.answerCbQuery();
});
