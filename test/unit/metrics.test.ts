/**
 * The counting functions the platform calls, read back through the process registry as Prometheus
 * would read them: how an update ended (handled, refused by a rule, failed, a duplicate, flooded),
 * what an admission failure counts, and which enqueued deliveries are reminders.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors.js';
import { countAdmissionFailures, countEnqueued, countUpdate, observeUpdate, processRegistry } from '../../src/platform/metrics/index.js';
import { sample } from '../support/prometheus.js';

async function change(act: () => Promise<unknown> | void): Promise<(name: string, labels?: Record<string, string>) => number> {
  const before = await processRegistry.metrics();
  await act();
  const after = await processRegistry.metrics();
  return (name, labels = {}) => sample(after, name, labels) - sample(before, name, labels);
}

const redisDown = Object.assign(new Error('Reached the max retries per request limit (which is 2)'), { name: 'MaxRetriesPerRequestError' });

describe('update metrics', () => {
  it('when handlers finish, refuse through a business rule, or fail, then each outcome is counted once and every one is timed', async () => {
    const delta = await change(async () => {
      await observeUpdate('message', async () => {});
      await expect(observeUpdate('message', () => Promise.reject(new AppError('ngo.not_found')))).rejects.toThrow(AppError);
      await expect(observeUpdate('callback_query', () => Promise.reject(redisDown))).rejects.toBe(redisDown);
    });
    expect(delta('ngo_bot_updates_total', { type: 'message', outcome: 'handled' })).toBe(1);
    expect(delta('ngo_bot_updates_total', { type: 'message', outcome: 'refused' })).toBe(1);
    expect(delta('ngo_bot_updates_total', { type: 'callback_query', outcome: 'failed' })).toBe(1);
    expect(delta('ngo_bot_update_duration_seconds_count', { type: 'message' })).toBe(2);
    // A refusal is no store error; Redis going away is.
    expect(delta('ngo_bot_store_errors_total', { store: 'redis', where: 'update' })).toBe(1);
  });

  it('when the admission reads fail, then the update counts as failed once and each failed read as a store error', async () => {
    const dbDown = Object.assign(new Error("Can't reach database server"), { name: 'PrismaClientInitializationError', clientVersion: '7.10.0' });
    const delta = await change(() => {
      countAdmissionFailures('message', [
        { status: 'rejected', reason: redisDown },
        { status: 'rejected', reason: dbDown },
        { status: 'fulfilled', value: 1 },
      ]);
      countAdmissionFailures('message', [{ status: 'fulfilled', value: true }]);
    });
    expect(delta('ngo_bot_updates_total', { type: 'message', outcome: 'failed' })).toBe(1);
    expect(delta('ngo_bot_store_errors_total', { store: 'redis', where: 'update' })).toBe(1);
    expect(delta('ngo_bot_store_errors_total', { store: 'database', where: 'update' })).toBe(1);
  });

  it('when an update is a duplicate or over the flood limit, then it is counted as such', async () => {
    const delta = await change(() => {
      countUpdate('message', 'duplicate');
      countUpdate('callback_query', 'flooded');
    });
    expect(delta('ngo_bot_updates_total', { type: 'message', outcome: 'duplicate' })).toBe(1);
    expect(delta('ngo_bot_updates_total', { type: 'callback_query', outcome: 'flooded' })).toBe(1);
  });
});

describe('outbox metrics', () => {
  it('when deliveries are enqueued, then reminders are told apart by source or key, and nothing added counts nothing', async () => {
    const delta = await change(() => {
      countEnqueued('deadline-reminder', 5);
      countEnqueued('course', 2, 'course-reminder:3:7:day');
      countEnqueued('course', 4, 'course-moved:3:7:1');
      countEnqueued('feedback-reminder', 0);
      countEnqueued(undefined, 1);
    });
    expect(delta('ngo_bot_reminders_enqueued_total', { kind: 'deadline' })).toBe(5);
    expect(delta('ngo_bot_reminders_enqueued_total', { kind: 'course' })).toBe(2);
    expect(delta('ngo_bot_reminders_enqueued_total', { kind: 'feedback' })).toBe(0);
    expect(delta('ngo_bot_outbox_enqueued_total', { source: 'course' })).toBe(6);
    expect(delta('ngo_bot_outbox_enqueued_total', { source: 'other' })).toBe(1);
  });
});
