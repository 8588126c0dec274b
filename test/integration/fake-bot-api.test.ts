import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Markup, Telegraf, Telegram, TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import { FakeBotApi, UploadedFile } from '../support/fake-bot-api.js';

let api: FakeBotApi;
let telegram: Telegram;

async function rejection(promise: Promise<unknown>): Promise<TelegramError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TelegramError)) throw new Error(`expected a TelegramError, got ${String(error)}`);
  return error;
}

beforeEach(async () => {
  api = await FakeBotApi.start({ bot: { first_name: 'دفتر امور اجتماعی', username: 'ngo_office_bot' } });
  telegram = new Telegram(api.token, { apiRoot: api.apiRoot });
});

afterEach(async () => {
  await api.close();
});

describe('FakeBotApi wire format', () => {
  it('answers getMe with the configured bot', async () => {
    const me = await telegram.getMe();
    expect(me).toMatchObject({ is_bot: true, first_name: 'دفتر امور اجتماعی', username: 'ngo_office_bot', id: 123456789 });
    expect(api.lastCall('getMe')?.response).toEqual({ ok: true, result: me });
  });

  it('rejects unknown tokens when a token is configured, and unknown methods', async () => {
    const strict = await FakeBotApi.start({ token: '42:secret' });
    try {
      const ok = new Telegram('42:secret', { apiRoot: strict.apiRoot });
      expect((await ok.getMe()).id).toBe(42);
      const wrong = await rejection(new Telegram('42:guess', { apiRoot: strict.apiRoot }).getMe());
      expect(wrong.response).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });

      const unknown = await rejection(ok.callApi('sendTelepathy' as 'getMe', {}));
      expect(unknown.response).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
      expect(strict.calls().map((c) => [c.method, c.httpStatus])).toEqual([
        ['getMe', 200],
        ['getMe', 401],
        ['sendTelepathy', 404],
      ]);
    } finally {
      await strict.close();
    }
  });

  it('treats method names case-insensitively and accepts the testEnv URL segment', async () => {
    const testEnv = new Telegram(api.token, { apiRoot: api.apiRoot, testEnv: true });
    await testEnv.getMe();
    await telegram.callApi('GETME' as 'getMe', {});
    expect(api.calls('getMe')).toHaveLength(2);
  });

  it('round-trips sendMessage and records params including reply_markup', async () => {
    const keyboard = Markup.inlineKeyboard([[Markup.button.callback('ثبت‌نام', 'register')]]);
    const first = await telegram.sendMessage(1001, 'سلام', keyboard);
    const second = await telegram.sendMessage(1001, 'دوباره');
    const otherChat = await telegram.sendMessage(2002, 'x');

    expect(first).toMatchObject({
      message_id: 1,
      text: 'سلام',
      chat: { id: 1001, type: 'private' },
      from: { id: api.bot.id, is_bot: true },
      reply_markup: { inline_keyboard: [[{ text: 'ثبت‌نام', callback_data: 'register' }]] },
    });
    expect(Math.abs(first.date - Date.now() / 1000)).toBeLessThan(5);
    expect(second.message_id).toBe(2);
    expect(otherChat.message_id).toBe(1);

    const [call] = api.sentMessages(1001);
    expect(call).toMatchObject({ method: 'sendMessage', chatId: 1001, params: { chat_id: 1001, text: 'سلام' } });
    expect(call!.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'ثبت‌نام', callback_data: 'register', hide: false }]] });
    expect(call!.at).toBeInstanceOf(Date);
    expect(api.texts(1001)).toEqual(['سلام', 'دوباره']);
    expect(api.message(1001, 1)).toMatchObject({ text: 'سلام' });
  });

  it('validates like Telegram', async () => {
    const cases: [Promise<unknown>, string][] = [
      [telegram.sendMessage(1, ''), 'Bad Request: message text is empty'],
      [telegram.sendMessage(1, '   '), 'Bad Request: message text is empty'],
      [telegram.callApi('sendMessage', { text: 'no chat' } as never), 'Bad Request: chat_id is empty'],
      [telegram.sendMessage(1, 'ب'.repeat(4097)), 'Bad Request: message is too long'],
      [
        telegram.sendMessage(1, 'x', Markup.inlineKeyboard([Markup.button.callback('long', 'd'.repeat(65))])),
        'Bad Request: BUTTON_DATA_INVALID',
      ],
      [
        // 22 Persian letters are 44 bytes; 33 of them exceed the 64-byte limit.
        telegram.sendMessage(1, 'x', Markup.inlineKeyboard([Markup.button.callback('fa', 'ع'.repeat(33))])),
        'Bad Request: BUTTON_DATA_INVALID',
      ],
      [telegram.sendMessage(1, 'a < b', { parse_mode: 'HTML' }), `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`],
      [telegram.sendMessage(1, '<b>bold', { parse_mode: 'HTML' }), `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`],
      [
        telegram.sendMessage(1, 'نسخه 2.0', { parse_mode: 'MarkdownV2' }),
        `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'`,
      ],
    ];
    for (const [promise, description] of cases) {
      const error = await rejection(promise);
      expect(error.code).toBe(400);
      expect(error.description).toBe(description);
    }
    expect(await telegram.sendMessage(1, 'd'.repeat(4096))).toMatchObject({ message_id: 1 });
    expect(await telegram.sendMessage(1, '<b>پررنگ</b> &amp; ساده', { parse_mode: 'HTML' })).toMatchObject({
      text: 'پررنگ & ساده',
      entities: [{ type: 'bold', offset: 0, length: 5 }],
    });
  });

  it('surfaces an injected 429 as TelegramError with parameters.retry_after', async () => {
    api.failNext('sendMessage', { error_code: 429, retry_after: 7 });
    const error = await rejection(telegram.sendMessage(5, 'hi'));
    expect(error.code).toBe(429);
    expect(error.description).toBe('Too Many Requests: retry after 7');
    expect(error.parameters).toEqual({ retry_after: 7 });
    expect(api.lastCall('sendMessage')).toMatchObject({ httpStatus: 429, injected: 'failNext', response: { ok: false } });
    // Only the next call failed.
    await expect(telegram.sendMessage(5, 'hi')).resolves.toMatchObject({ message_id: 1 });
    expect(api.stats()).toMatchObject({ rejected429: 1, injected: 1, accepted: { sendMessage: 1 } });
  });

  it('injects failures per chat and repeatedly; 5xx descriptions become the HTTP status text in telegraf', async () => {
    const handle = api.failNext('*', { error_code: 400, description: 'Bad Request: chat not found', chatId: 9, times: 2 });
    await expect(telegram.sendMessage(8, 'ok')).resolves.toBeDefined();
    expect((await rejection(telegram.sendMessage(9, 'a'))).description).toBe('Bad Request: chat not found');
    expect(handle.remaining).toBe(1);
    expect((await rejection(telegram.sendChatAction(9, 'typing'))).code).toBe(400);
    await expect(telegram.sendMessage(9, 'b')).resolves.toBeDefined();

    api.failNext('sendMessage', { error_code: 502, description: 'ignored by telegraf' });
    const error = await rejection(telegram.sendMessage(8, 'x'));
    expect(error.code).toBe(502);
    expect(error.description).toBe('Bad Gateway');
  });

  it('answers 403 for users who blocked the bot', async () => {
    api.blockUser(77);
    const error = await rejection(telegram.sendMessage(77, 'سلام'));
    expect(error.response).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(api.sentMessages(77)).toEqual([]);
    expect(api.sentMessages(77, { includeFailed: true })).toHaveLength(1);
    api.unblockUser(77);
    await expect(telegram.sendMessage(77, 'سلام')).resolves.toBeDefined();
  });

  it('holds getUpdates until an update arrives, and answers [] after the timeout', async () => {
    const alice = api.user(501, { first_name: 'Alice', language_code: 'fa' });
    const polling = telegram.getUpdates(5, 100, 0, undefined);
    await api.waitForLongPoll();
    const sent = alice.sendText('سلام');
    const updates = await polling;
    expect(updates).toEqual([sent.update]);
    expect(updates[0]).toMatchObject({
      update_id: sent.update_id,
      message: { message_id: 1, text: 'سلام', chat: { id: 501, type: 'private' }, from: { id: 501, first_name: 'Alice', language_code: 'fa' } },
    });

    await telegram.getUpdates(0, 100, sent.update_id + 1, undefined);
    const started = Date.now();
    expect(await telegram.getUpdates(1, 100, sent.update_id + 1, undefined)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('keeps updates until a later offset confirms them; limit caps the batch', async () => {
    const bob = api.user(600);
    const a = bob.sendText('one');
    const b = bob.sendCommand('start', 'ref_42');
    const c = bob.sendSticker();
    expect(b.update.message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect(b.update.message.text).toBe('/start ref_42');
    expect([b.update_id, c.update_id]).toEqual([a.update_id + 1, a.update_id + 2]);

    expect((await telegram.getUpdates(0, 2, 0, undefined)).map((u) => u.update_id)).toEqual([a.update_id, b.update_id]);
    // Not confirmed yet: the same updates come again.
    expect((await telegram.getUpdates(0, 2, 0, undefined)).map((u) => u.update_id)).toEqual([a.update_id, b.update_id]);
    expect((await telegram.getUpdates(0, 100, b.update_id + 1, undefined)).map((u) => u.update_id)).toEqual([c.update_id]);
    await telegram.getUpdates(0, 100, c.update_id + 1, undefined);
    expect(api.pendingUpdates()).toEqual([]);
    await api.waitForConfirmed(c);

    // A duplicate is delivered again with the same update_id, then confirmed by the next offset.
    const dup = api.enqueueDuplicate(b);
    expect(dup.update_id).toBe(b.update_id);
    expect(await telegram.getUpdates(0, 100, c.update_id + 1, undefined)).toEqual([b.update]);
    await telegram.getUpdates(0, 100, b.update_id + 1, undefined);
    expect(api.pendingUpdates()).toEqual([]);
  });

  it('terminates a superseded long poll with 409 Conflict', async () => {
    const first = rejection(telegram.getUpdates(10, 100, 0, undefined));
    await api.waitForLongPoll();
    const second = telegram.getUpdates(0, 100, 0, undefined);
    expect((await first).response).toMatchObject({ error_code: 409, description: expect.stringContaining('terminated by other getUpdates') });
    await expect(second).resolves.toEqual([]);
  });

  it('parses multipart uploads (sendDocument with a Buffer) and serves the file back', async () => {
    const bytes = Buffer.from('%PDF-1.4 گزارش سالانه');
    const message = await telegram.sendDocument(
      3003,
      { source: bytes, filename: 'گزارش.pdf' },
      { caption: 'گزارش', ...Markup.inlineKeyboard([Markup.button.callback('تأیید', 'ok')]) },
    );
    expect(message).toMatchObject({ document: { file_name: 'گزارش.pdf', mime_type: 'application/pdf', file_size: bytes.length }, caption: 'گزارش' });

    const call = api.lastCall('sendDocument')!;
    expect(call.params.chat_id).toBe('3003');
    expect(call.chatId).toBe(3003);
    expect(call.params).not.toHaveProperty('method');
    expect(typeof call.params.reply_markup).toBe('string');
    expect(call.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'تأیید', callback_data: 'ok', hide: false }]] });
    expect(call.upload).toBeInstanceOf(UploadedFile);
    expect(call.upload).toMatchObject({ field: 'document', fileName: 'گزارش.pdf', size: bytes.length });
    expect(call.upload!.bytes!.equals(bytes)).toBe(true);
    expect(api.sentMessages(3003)).toEqual([call]);

    const link = await telegram.getFileLink(message.document.file_id);
    const download = await fetch(link);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('rate limits sending methods over a sliding second', async () => {
    api.rateLimit({ perSecond: 5 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => telegram.sendMessage(100 + i, `m${i}`)));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as TelegramError] : []));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(rejected).toHaveLength(7);
    for (const error of rejected) {
      expect(error.code).toBe(429);
      expect(Number.isInteger(error.parameters?.retry_after)).toBe(true);
      expect(error.parameters!.retry_after).toBeGreaterThanOrEqual(1);
    }
    // Non-sending methods are not limited.
    await expect(telegram.getMe()).resolves.toBeDefined();
    expect(api.stats()).toMatchObject({ rateLimited: 7, rejected429: 7, accepted: { sendMessage: 5 }, rejected: { sendMessage: 7 } });

    api.rateLimit({ perSecond: 100, perChatPerSecond: 1 });
    await telegram.sendMessage(1, 'a');
    expect((await rejection(telegram.sendMessage(1, 'b'))).code).toBe(429);
    await expect(telegram.sendMessage(2, 'c')).resolves.toBeDefined();
  });

  it('stores bot commands per scope and language', async () => {
    await telegram.setMyCommands([{ command: 'start', description: 'شروع' }], { language_code: 'fa' });
    await telegram.setMyCommands([{ command: 'start', description: 'Start' }]);
    await telegram.setMyCommands([{ command: 'admin', description: 'مدیریت' }], { scope: { type: 'chat', chat_id: 5 }, language_code: 'fa' });
    expect(api.commands({ language_code: 'fa' })).toEqual([{ command: 'start', description: 'شروع' }]);
    expect(await telegram.getMyCommands({ scope: { type: 'chat', chat_id: 5 }, language_code: 'fa' })).toEqual([
      { command: 'admin', description: 'مدیریت' },
    ]);
    await telegram.deleteMyCommands({ language_code: 'fa' });
    expect(await telegram.getMyCommands({ language_code: 'fa' })).toEqual([]);
    expect((await rejection(telegram.setMyCommands([{ command: 'Start', description: 'x' }]))).description).toBe('Bad Request: BOT_COMMAND_INVALID');
  });

  it('edits, deletes and answers callback queries with Telegram semantics', async () => {
    const user = api.user(700);
    const sent = await telegram.sendMessage(700, 'انتخاب کنید', Markup.inlineKeyboard([Markup.button.callback('بله', 'yes')]));
    const press = user.pressButtonByText('بله');
    expect(press.update.callback_query).toMatchObject({ data: 'yes', from: { id: 700 }, message: { message_id: sent.message_id } });
    await telegram.answerCbQuery(press.update.callback_query.id, 'ثبت شد');
    expect(api.lastCall('answerCallbackQuery')?.chatId).toBe(700);
    expect((await rejection(telegram.answerCbQuery(press.update.callback_query.id))).description).toContain('query is too old');

    const edited = await telegram.editMessageText(700, sent.message_id, undefined, 'انتخاب شد');
    expect(edited).toMatchObject({ text: 'انتخاب شد' });
    expect(api.message(700, sent.message_id)).not.toHaveProperty('reply_markup');
    expect((await rejection(telegram.editMessageText(700, sent.message_id, undefined, 'انتخاب شد'))).description).toContain('message is not modified');
    expect(() => user.pressButtonByText('بله')).toThrow(/No inline button labelled "بله"/);

    await telegram.deleteMessage(700, sent.message_id);
    expect((await rejection(telegram.deleteMessage(700, sent.message_id))).description).toBe('Bad Request: message to delete not found');
  });

  it('lets a user share (or forge) a contact and block the bot', () => {
    const user = api.user(800, { first_name: 'Sara' });
    const own = user.shareContact({ phone_number: '+989121234567' });
    expect(own.update.message.contact).toEqual({ phone_number: '+989121234567', first_name: 'Sara', user_id: 800 });
    const forged = user.shareContact({ phone_number: '+989000000000', user_id: 801, first_name: 'Other', forwarded: true });
    expect(forged.update.message.contact.user_id).toBe(801);
    expect(forged.update.message.forward_origin).toMatchObject({ type: 'user' });
    const blocked = user.blockBot();
    expect(blocked.update.my_chat_member.new_chat_member.status).toBe('kicked');
    const channel = api.enqueueUpdate<Update.ChannelPostUpdate>({
      channel_post: { message_id: 1, date: 0, chat: { id: -1001, type: 'channel', title: 'news' }, text: 'x' },
    });
    expect(channel.update_id).toBe(blocked.update_id + 1);
  });

  it('copies user messages, sends photos and chat actions, answers getChat/getFile', async () => {
    const user = api.user(900, { first_name: 'Mina', username: 'mina_fa' });
    const doc = user.sendDocument('اساسنامه.pdf', 'مدارک');
    const photo = user.sendPhoto();
    const copy = await telegram.copyMessage(-1001234, 900, doc.update.message.message_id);
    expect(copy).toEqual({ message_id: 1 });
    expect(api.message(-1001234, 1)).toMatchObject({ document: { file_name: 'اساسنامه.pdf' }, caption: 'مدارک', chat: { type: 'supergroup' } });
    expect((await rejection(telegram.copyMessage(-1001234, 900, 999))).description).toBe('Bad Request: message to copy not found');

    const sentPhoto = await telegram.sendPhoto(900, photo.update.message.photo.at(-1)!.file_id, { caption: 'دریافت شد' });
    expect(sentPhoto.message_id).toBe(3);
    expect(api.sentMessages(900).map((c) => c.method)).toEqual(['sendPhoto']);

    await expect(telegram.sendChatAction(900, 'typing')).resolves.toBe(true);
    expect((await rejection(telegram.sendChatAction(900, 'dancing' as 'typing'))).code).toBe(400);
    expect(await telegram.getChat(900)).toMatchObject({ id: 900, type: 'private', first_name: 'Mina', username: 'mina_fa' });
    expect((await rejection(telegram.getChat(31337))).description).toBe('Bad Request: chat not found');
    expect(await telegram.getFile(doc.update.message.document.file_id)).toMatchObject({ file_path: expect.stringMatching(/\.pdf$/) });
  });

  it('delays answers with setLatency', async () => {
    api.setLatency('sendMessage', 150);
    const started = Date.now();
    await Promise.all([telegram.sendMessage(1, 'a'), telegram.getMe()]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(api.lastCall('sendMessage')!.durationMs).toBeGreaterThanOrEqual(140);
    expect(api.lastCall('getMe')!.durationMs).toBeLessThan(100);
  });

  it('keeps only counters with recordBodies: false', async () => {
    const lean = await FakeBotApi.start({ recordBodies: false });
    try {
      const client = new Telegram(lean.token, { apiRoot: lean.apiRoot });
      const waiting = lean.waitForCall('sendMessage', (c) => c.text === 'three');
      for (const text of ['one', 'two', 'three']) await client.sendMessage(9, text);
      expect((await waiting).chatId).toBe(9);
      expect(lean.calls()).toEqual([]);
      expect(lean.chatStats(9)).toEqual({ accepted: { sendMessage: 3 }, rejected: {} });
      expect(lean.stats().total).toBe(3);
    } finally {
      await lean.close();
    }
  });

  it('waitFor sees calls already recorded after a mark and explains timeouts', async () => {
    await telegram.sendMessage(1, 'before');
    const mark = api.mark();
    await telegram.sendMessage(1, 'after');
    await expect(api.waitForCall('sendMessage', undefined, { after: mark })).resolves.toMatchObject({ text: 'after' });
    await expect(api.waitForCall('sendMessage', (c) => c.text === 'never', 100)).rejects.toThrow(
      /Timed out after 100ms waiting for sendMessage matching the predicate[\s\S]*sendMessage chat=1 \{"text":"after"\} → ok/,
    );
  });

  it('close() ends pending long polls promptly', async () => {
    const other = await FakeBotApi.start();
    try {
      const client = new Telegram(other.token, { apiRoot: other.apiRoot });
      const poll = client.getUpdates(50, 100, 0, undefined);
      await other.waitForLongPoll();
      const started = Date.now();
      await other.close();
      await expect(poll).resolves.toEqual([]);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await other.close();
    }
  });
});

describe('a Telegraf bot polling the fake', () => {
  let bot: Telegraf | undefined;
  let launched: Promise<void> | undefined;

  async function launch(setup: (bot: Telegraf) => void): Promise<void> {
    bot = new Telegraf(api.token, { telegram: { apiRoot: api.apiRoot } });
    setup(bot);
    // launch() settles only when polling stops; keep it to await after stop().
    launched = bot.launch();
    launched.catch(() => {});
    await api.waitForLongPoll();
  }

  afterEach(async () => {
    bot?.stop('test finished');
    await launched;
    bot = undefined;
    launched = undefined;
  });

  it('answers /start', async () => {
    await launch((b) => b.start((ctx) => ctx.reply(`سلام ${ctx.from.first_name}`)));
    const user = api.user(42, { first_name: 'Reza' });
    user.sendCommand('start');
    const reply = await user.waitForReply();
    expect(reply).toMatchObject({ method: 'sendMessage', chatId: 42, text: 'سلام Reza' });
    expect(api.calls('deleteWebhook')).toHaveLength(1);
  });

  it('drives inline keyboards, confirms handled updates and re-delivers duplicates', async () => {
    let starts = 0;
    await launch((b) => {
      b.start(async (ctx) => {
        starts++;
        await ctx.reply('زبان؟', Markup.inlineKeyboard([Markup.button.callback('فارسی', 'lang:fa')]));
      });
      b.action(/^lang:(.+)$/, async (ctx) => {
        await ctx.answerCbQuery();
        await ctx.editMessageText(`انتخاب: ${ctx.match[1]}`);
      });
    });
    const user = api.user(43);
    const start = user.sendCommand('start');
    await user.waitForReply();
    user.pressButtonByText('فارسی');
    const edit = await api.waitForCall('editMessageText', undefined, { after: start.mark });
    expect(edit.text).toBe('انتخاب: fa');
    expect(api.calls('answerCallbackQuery')).toHaveLength(1);

    const duplicate = api.enqueueDuplicate(start);
    await api.waitForConfirmed(duplicate);
    expect(starts).toBe(2);
  });

  it('survives update types it has no handler for', async () => {
    await launch((b) => b.on('text', (ctx) => ctx.reply('متن')));
    const user = api.user(44);
    const edited = user.editText(user.sendText('first').update.message.message_id, 'edited');
    const post = api.enqueueUpdate({ channel_post: { message_id: 7, date: 0, chat: { id: -1009, type: 'channel', title: 'c' }, text: 'x' } });
    await api.waitForConfirmed(post);
    expect(edited.update.edited_message).toMatchObject({ text: 'edited' });
    expect(api.texts(44)).toEqual(['متن']);
    expect(api.stats().rejected).toEqual({});
  });
});
