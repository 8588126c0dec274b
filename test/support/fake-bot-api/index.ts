/**
 * Fake Telegram Bot API over real HTTP.
 *
 *   const api = await FakeBotApi.start();
 *   const bot = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
 *   const running = bot.launch();          // settles only when polling stops
 *   await api.waitForLongPoll();
 *   const user = api.user(42, { first_name: 'Reza', language_code: 'fa' });
 *   user.sendCommand('start');
 *   const reply = await user.waitForReply();
 *   bot.stop(); await running; await api.close();
 */
export { FakeBotApi } from './server.js';
export { FakeUser, type ShareContactOptions } from './user.js';
export { ApiError, DESCRIPTIONS } from './errors.js';
export { BALE_MISSING_METHODS } from './bale.js';
export { MESSAGE_METHODS } from './methods.js';
export { parseHtml, parseMarkdown, parseMarkdownV2, parseFormatted, type FormattedText } from './formatting.js';
// Every public type of the fake (recorded calls, options, failures, waits) and UploadedFile.
export * from './types.js';
