/**
 * The flat handler table (platform/bot/handlers.ts) keeps telegraf's meaning: routes tried in registration
 * order, commands read as telegraf reads them (/name, /name@thisbot, payload after the space), labels and
 * buttons matched with ctx.match set, a handler that calls next() hands the update to the routes after it,
 * and nothing matching reaches the middleware after the table.
 */
import { Context, Telegram } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { describe, expect, it } from 'vitest';
import { Handlers } from '../../src/platform/bot/handlers.js';

const me = { id: 1, is_bot: true, first_name: 'Bot', username: 'ngo_office_bot' } as UserFromGetMe;
const from = { id: 7, is_bot: false, first_name: 'مریم' };
const chat = { id: 7, type: 'private' as const, first_name: 'مریم' };

function textUpdate(text: string): Update {
  const command = /^\/\S+/.exec(text);
  return {
    update_id: 1,
    message: { message_id: 1, date: 0, from, chat, text, ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}) },
  } as Update;
}
const buttonUpdate = (data: string) =>
  ({ update_id: 2, callback_query: { id: 'q', from, chat_instance: 'c', data, message: { message_id: 3, date: 0, chat, text: 'x' } } }) as Update;

/** Runs the table on an update; returns what each handler saw, in order, and whether the update fell through. */
async function run(handlers: Handlers<Context>, update: Update): Promise<{ seen: string[]; fellThrough: boolean }> {
  const seen: string[] = [];
  const ctx = new Context(update, new Telegram('1:not-used', {}), me);
  (ctx as unknown as { seen: string[] }).seen = seen;
  let fellThrough = false;
  await handlers.middleware()(ctx, async () => {
    fellThrough = true;
  });
  return { seen, fellThrough };
}
const log = (what: string) => (ctx: Context) => void (ctx as unknown as { seen: string[] }).seen.push(what);

describe('the flat handler table', () => {
  it('when a command is sent, then its handler gets the command and the payload, and later routes do not run', async () => {
    const handlers = new Handlers<Context>()
      .command('deadlines', (ctx) => log(`deadlines [${ctx.payload}]`)(ctx))
      .on('message', log('catch-all'));
    expect(await run(handlers, textUpdate('/deadlines  12 '))).toEqual({ seen: ['deadlines [ 12 ]'], fellThrough: false });
  });

  it("when a command names another bot, then it is not this bot's command", async () => {
    const handlers = new Handlers<Context>().command('help', log('help'));
    expect(await run(handlers, textUpdate('/help@other_bot'))).toEqual({ seen: [], fellThrough: true });
    expect((await run(handlers, textUpdate('/help@NGO_Office_Bot'))).seen).toEqual(['help']);
  });

  it('when /start carries a deep link, then the start handler gets it as payload and startPayload', async () => {
    const handlers = new Handlers<Context>().start((ctx) => log(`${ctx.payload}|${ctx.startPayload}`)(ctx));
    expect((await run(handlers, textUpdate('/start inv_abc'))).seen).toEqual(['inv_abc|inv_abc']);
  });

  it('when a label or a button matches, then ctx.match holds the match', async () => {
    const handlers = new Handlers<Context>()
      .hears((text) => (text === '📅 مهلت‌ها' ? /^[\s\S]*$/.exec(text) : null), (ctx) => log(`label ${ctx.match[0]}`)(ctx))
      .action(/^crs_view:(\d+)$/, (ctx) => log(`course ${ctx.match[1]}`)(ctx));
    expect((await run(handlers, textUpdate('📅 مهلت‌ها'))).seen).toEqual(['label 📅 مهلت‌ها']);
    expect((await run(handlers, buttonUpdate('crs_view:12'))).seen).toEqual(['course 12']);
    expect(await run(handlers, buttonUpdate('crs_view:x'))).toEqual({ seen: [], fellThrough: true });
  });

  it('when a handler calls next(), then the routes after it run in order, then the middleware after the table', async () => {
    const first = new Handlers<Context>().on('message', async (ctx, next) => {
      log('guard')(ctx);
      await next();
    });
    const second = new Handlers<Context>().command('courses', async (ctx, next) => {
      log('courses')(ctx);
      await next();
    });
    const handlers = new Handlers<Context>(first, second).on('callback_query', log('never'));
    expect(await run(handlers, textUpdate('/courses'))).toEqual({ seen: ['guard', 'courses'], fellThrough: true });
  });

  it('when several middlewares are given to one route, then they run as a chain (a guard can stop it)', async () => {
    const handlers = new Handlers<Context>().action('go', (ctx) => log('refused')(ctx), log('not reached'));
    expect((await run(handlers, buttonUpdate('go'))).seen).toEqual(['refused']);
  });

  it('when a feature tries use() or a filter function, then it is told to register routes by name instead', () => {
    expect(() => new Handlers<Context>().use()).toThrow(/register with/);
    expect(() => new Handlers<Context>().on((() => true) as never, log('x'))).toThrow(/type names/);
  });
});
