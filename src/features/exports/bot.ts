/**
 * /export: a staff member picks a table and a format, and receives the file as a document in reply.
 * The command and every button pass requireAdmin (the role read from the database); the use case
 * reads the scope again and audits. The file goes straight from a temporary file to the Bot API as a
 * stream, not through the outbox: it is the answer to this admin's request, and a large file does not
 * belong in a database row.
 */
import { createReadStream } from 'node:fs';
import type { BotContext } from '../../platform/bot/context.js';
import { Handlers } from '../../platform/bot/handlers.js';
import { editOrSend, refusalText, send, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { requireAdmin } from '../staff/index.js';
import { exportLayout } from './layout.js';
import { BUTTONS, fileCaption, formatMenu, preparing, sent, tableMenu } from './notices.js';
import { isExportFormat, isTableCode } from './rules.js';

export const exportsFeature = new Handlers<BotContext>();

exportsFeature.command('export', requireAdmin, async (ctx) => {
  const { text, keyboard } = tableMenu(ctx);
  await send(ctx, text, keyboard);
});

exportsFeature.action(BUTTONS.menu.trigger, requireAdmin, async (ctx) => {
  if (!BUTTONS.menu.parse(ctx)) return staleButton(ctx);
  const { text, keyboard } = tableMenu(ctx);
  await editOrSend(ctx, text, keyboard);
});

exportsFeature.action(BUTTONS.table.trigger, requireAdmin, async (ctx) => {
  const table = BUTTONS.table.parse(ctx)?.[0];
  if (!isTableCode(table)) return staleButton(ctx);
  const { text, keyboard } = formatMenu(ctx, table);
  await editOrSend(ctx, text, keyboard);
});

exportsFeature.action(BUTTONS.format.trigger, requireAdmin, async (ctx) => {
  const [table, format] = BUTTONS.format.parse(ctx) ?? [];
  if (!isTableCode(table) || !isExportFormat(format)) return staleButton(ctx);
  await ctx.answerCbQuery();
  await editOrSend(ctx, preparing(ctx, table, format));
  try {
    const file = await ctx.services.exports.build(ctx.user.id, table, format, exportLayout(ctx));
    try {
      const chatId = ctx.chat?.id ?? ctx.user.id.toString();
      await ctx.telegram.sendDocument(chatId, { source: createReadStream(file.path), filename: file.fileName }, { caption: fileCaption(ctx, file) });
    } finally {
      await file.dispose();
    }
  } catch (err) {
    // The press is answered already: the outcome replaces the "preparing" line instead of an alert.
    await editOrSend(ctx, err instanceof AppError ? refusalText(ctx, err) : ctx.t('common.errors.generic'));
    if (err instanceof AppError) return;
    throw err;
  }
  await editOrSend(ctx, sent(ctx, table));
});
