/**
 * Admission of an update (platform/bot/middlewares/admit.ts): a re-sent update is dropped quietly, a form's
 * progress is saved even when the handler then fails, someone too fast is told once a minute, and updates
 * from groups or bots are not even looked at. An update that met storage down is given back whole (not
 * marked seen, its form not moved) so that the copy Telegram sends again is handled, once.
 */
import { describe, expect, it, vi } from 'vitest';
import type { BotContext, SessionData } from '../../src/platform/bot/context.js';
import { admit, BUSY_MS } from '../../src/platform/bot/middlewares/admit.js';
import { UpdateDeferred } from '../../src/platform/bot/storage-outage.js';
import type { SessionStore } from '../../src/platform/bot/session-store.js';
import { createTranslator } from '../../src/platform/i18n/index.js';
import { MemoryKeyValueStore } from '../../src/platform/kv/index.js';

const translator = createTranslator();
const user = { id: 7n, firstName: 'مریم', language: 'fa', role: null, countyId: null };

function setup(options: { recordContact?: () => Promise<typeof user> } = {}) {
  const kv = new MemoryKeyValueStore();
  const saved = new Map<string, SessionData>();
  const sessionStore: SessionStore = {
    get: async (key) => structuredClone(saved.get(key)),
    set: async (key, value) => void saved.set(key, structuredClone(value)),
    delete: async (key) => void saved.delete(key),
  };
  const replies: string[] = [];
  const middleware = admit({ kv, sessionStore, floodPerMinute: 3 });
  let updateId = 0;
  const ctxFor = (chatType = 'private', id = ++updateId) =>
    ({
      update: { update_id: id, message: {} },
      from: { id: 7, is_bot: false, first_name: 'مریم' },
      chat: { id: 7, type: chatType },
      services: { translator, users: { recordContact: options.recordContact ?? (async () => ({ ...user })) } },
      reply: async (text: string) => void replies.push(text),
    }) as unknown as BotContext;
  return { kv, saved, replies, middleware, ctxFor };
}

describe('admitting an update', () => {
  it('when an update comes a second time, then it is dropped quietly even if the rest failed for it', async () => {
    let calls = 0;
    const s = setup({ recordContact: async () => (calls++ === 0 ? { ...user } : Promise.reject(new Error('database down'))) });
    const first = s.ctxFor('private', 100);
    let handled = 0;
    await s.middleware(first, async () => void handled++);
    await s.middleware(s.ctxFor('private', 100), async () => void handled++);
    expect(handled).toBe(1);
    expect(s.replies).toEqual([]);
  });

  it('when the handler moved the form on and then failed, then the form stays where it moved', async () => {
    const s = setup();
    const ctx = s.ctxFor();
    await expect(
      s.middleware(ctx, async () => {
        ctx.session.form = { name: 'feedback', step: 'text', data: {}, startedAt: '2026-11-30T08:00:00Z' };
        throw new Error('the question could not be sent');
      }),
    ).rejects.toThrow('could not be sent');
    expect(s.saved.get('7:7')?.form?.step).toBe('text');
  });

  it('when someone sends more than the limit in a minute, then they are told once and the rest is not handled', async () => {
    const s = setup();
    let handled = 0;
    for (let i = 0; i < 6; i++) await s.middleware(s.ctxFor(), async () => void handled++);
    expect(handled).toBe(3);
    expect(s.replies).toHaveLength(1);
    expect(s.replies[0]).toContain(translator.t('fa', 'common.errors.too_fast'));
  });

  it('when an update comes from a group, then nothing is asked of the stores and no handler runs', async () => {
    const s = setup({ recordContact: async () => Promise.reject(new Error('must not be called')) });
    let handled = 0;
    await s.middleware(s.ctxFor('group'), async () => void handled++);
    expect(handled).toBe(0);
    expect(s.kv.size).toBe(0);
  });

  it('when the database is down while the user is looked up, then the update is given back, not marked seen, and its copy is handled', async () => {
    let calls = 0;
    const down = Object.assign(new Error('Connection terminated unexpectedly'), {});
    const s = setup({ recordContact: async () => (calls++ === 0 ? Promise.reject(down) : { ...user }) });
    let handled = 0;
    await expect(s.middleware(s.ctxFor('private', 200), async () => void handled++)).rejects.toBeInstanceOf(UpdateDeferred);
    await s.middleware(s.ctxFor('private', 200), async () => void handled++);
    expect(handled).toBe(1);
  });

  it('when a handler meets the database down, then the form stays on its step, and the copy sent again runs the step once', async () => {
    const s = setup();
    s.saved.set('7:7', { form: { name: 'feedback', step: 'text', data: {}, startedAt: '2026-11-30T08:00:00Z' } });
    const first = s.ctxFor('private', 300);
    await expect(
      s.middleware(first, async () => {
        first.session.form!.step = 'attachments';
        throw Object.assign(new Error('Server has closed the connection.'), { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } } });
      }),
    ).rejects.toMatchObject({ name: 'UpdateDeferred', reason: 'storage unavailable' });
    expect(s.saved.get('7:7')?.form?.step).toBe('text');

    const steps: string[] = [];
    const again = () => s.ctxFor('private', 300);
    const copy = again();
    await s.middleware(copy, async () => {
      steps.push(copy.session.form!.step);
      copy.session.form!.step = 'attachments';
    });
    await s.middleware(again(), async () => void steps.push('twice'));
    expect(steps).toEqual(['text']);
    expect(s.saved.get('7:7')?.form?.step).toBe('attachments');
  });

  it('when a copy comes while the first is still being handled, then the copy is given back (not dropped), and dropped once the first is done', async () => {
    const s = setup();
    let release!: () => void;
    const first = s.middleware(s.ctxFor('private', 400), () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(s.middleware(s.ctxFor('private', 400), async () => {})).rejects.toMatchObject({ reason: 'in flight elsewhere' });
    release();
    await first;
    let handled = 0;
    await s.middleware(s.ctxFor('private', 400), async () => void handled++);
    expect(handled).toBe(0);
  });

  it('when Redis is down as the update comes, then it is given back', async () => {
    const s = setup();
    s.kv.setIfAbsent = () => Promise.reject(Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }));
    await expect(s.middleware(s.ctxFor(), async () => {})).rejects.toBeInstanceOf(UpdateDeferred);
  });

  it('when an update is given back again and again during an outage, then its copies do not count against the flood limit', async () => {
    let down = true;
    const s = setup({ recordContact: async () => (down ? Promise.reject(new Error('Connection terminated unexpectedly')) : { ...user }) });
    for (let copy = 0; copy < 10; copy++) await expect(s.middleware(s.ctxFor('private', 500), async () => {})).rejects.toBeInstanceOf(UpdateDeferred);
    down = false;
    let handled = 0;
    await s.middleware(s.ctxFor('private', 500), async () => void handled++);
    await s.middleware(s.ctxFor('private', 501), async () => void handled++);
    expect(handled).toBe(2);
    expect(s.replies).toEqual([]);
  });

  it('when a handler runs longer than the busy mark lasts, then the mark is renewed and a copy is still given back, not handled twice', async () => {
    vi.useFakeTimers();
    try {
      const s = setup();
      let release!: () => void;
      const first = s.middleware(s.ctxFor('private', 600), () => new Promise<void>((resolve) => (release = resolve)));
      await vi.advanceTimersByTimeAsync(3 * BUSY_MS);
      await expect(s.middleware(s.ctxFor('private', 600), async () => {})).rejects.toMatchObject({ reason: 'in flight elsewhere' });
      release();
      await first;
    } finally {
      vi.useRealTimers();
    }
  });
});
