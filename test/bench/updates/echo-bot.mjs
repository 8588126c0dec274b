/**
 * The upper bound of the bench: a bare telegraf 4.16.3 bot on long polling that replies to each
 * message with its text and answers each callback query. Nothing else: no database, no session.
 * Env: BOT_TOKEN, BOT_API_ROOT (the bench's fake Bot API).
 */
import { Telegraf } from 'telegraf';

const bot = new Telegraf(process.env.BOT_TOKEN, { telegram: { apiRoot: process.env.BOT_API_ROOT, webhookReply: false } });
bot.on('callback_query', (ctx) => ctx.answerCbQuery());
bot.on('message', (ctx) => ctx.reply('text' in ctx.message ? ctx.message.text : 'ok'));
bot.catch((err) => console.error('echo bot:', err));

// launch() only resolves when polling stops, so it is not awaited.
void bot.launch({ allowedUpdates: ['message', 'callback_query'] });
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => {
  bot.stop(signal);
  setTimeout(() => process.exit(0), 500).unref();
});
