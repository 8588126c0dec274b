import type { Update } from 'telegraf/types';
import { ApiError, DESCRIPTIONS } from './errors.js';

interface QueuedUpdate {
  update: Update;
  /** Re-deliveries ignore the offset until they have been handed out once. */
  forced: boolean;
  delivered: boolean;
}

interface PendingPoll {
  wake: (outcome: 'update' | 'timeout' | 'closed' | 'aborted' | 'conflict') => void;
}

/**
 * Telegram's getUpdates semantics: updates stay queued until a later call passes an
 * `offset` greater than their id ("confirmation"); a call with nothing to return holds
 * for `timeout` seconds; a second concurrent call terminates the first with 409.
 */
export class UpdateQueue {
  private queue: QueuedUpdate[] = [];
  private nextId: number;
  private readonly polls = new Set<PendingPoll>();
  private readonly confirmWaiters = new Set<{ id: number; resolve: () => void }>();
  private readonly pollListeners = new Set<() => void>();
  private highestConfirmed = -Infinity;
  enqueued = 0;
  delivered = 0;

  constructor(firstId: number) {
    this.nextId = firstId;
  }

  get pending(): number {
    return this.queue.length;
  }

  get waitingPolls(): number {
    return this.polls.size;
  }

  pendingUpdates(): Update[] {
    return this.queue.map((q) => q.update);
  }

  allocateId(): number {
    return this.nextId++;
  }

  push(update: Update, forced = false): void {
    if (!forced && update.update_id >= this.nextId) this.nextId = update.update_id + 1;
    this.queue.push({ update, forced, delivered: false });
    this.enqueued++;
    for (const poll of this.polls) poll.wake('update');
  }

  clear(): void {
    this.drop(() => true);
  }

  /** Drops everything below `offset`; a negative offset keeps only the last -offset updates. */
  confirm(offset: number): void {
    if (offset < 0) {
      const firstKept = this.queue.length - Math.min(-offset, this.queue.length);
      const keep = new Set(this.queue.slice(firstKept));
      this.drop((q) => !keep.has(q));
      return;
    }
    if (offset === 0) return;
    this.drop((q) => q.update.update_id < offset && (!q.forced || q.delivered));
  }

  private drop(predicate: (q: QueuedUpdate) => boolean): void {
    if (!this.queue.some(predicate)) return;
    const dropped = new Set<number>();
    const kept: QueuedUpdate[] = [];
    for (const q of this.queue) {
      if (predicate(q)) dropped.add(q.update.update_id);
      else kept.push(q);
    }
    this.queue = kept;
    for (const id of dropped) {
      if (id > this.highestConfirmed) this.highestConfirmed = id;
      if (this.confirmWaiters.size === 0 || this.contains(id)) continue;
      for (const w of this.confirmWaiters) {
        if (w.id === id) {
          this.confirmWaiters.delete(w);
          w.resolve();
        }
      }
    }
  }

  private contains(id: number): boolean {
    return this.queue.some((q) => q.update.update_id === id);
  }

  /** Calls `resolve` once `id` is confirmed (immediately if it already was and is not queued again). */
  onConfirmed(id: number, resolve: () => void): () => void {
    if (id <= this.highestConfirmed && !this.contains(id)) {
      resolve();
      return () => {};
    }
    const waiter = { id, resolve };
    this.confirmWaiters.add(waiter);
    return () => this.confirmWaiters.delete(waiter);
  }

  /** Telegram ends a held getUpdates with 409 as soon as another getUpdates call arrives. */
  supersede(): void {
    for (const other of this.polls) other.wake('conflict');
  }

  /** Call after `confirm(offset)`, which drops everything the offset excludes. */
  take(limit: number): Update[] {
    const ordered = this.queue.some((q) => q.forced)
      ? [...this.queue].sort((a, b) => a.update.update_id - b.update.update_id)
      : this.queue;
    const batch = ordered.slice(0, limit);
    for (const q of batch) {
      if (!q.delivered) this.delivered++;
      q.delivered = true;
    }
    return batch.map((q) => q.update);
  }

  /**
   * Holds a getUpdates call. Resolves on a new update, timeout, close or client abort;
   * rejects with 409 when another getUpdates call supersedes it.
   */
  async hold(timeoutMs: number, signal: AbortSignal, closing: AbortSignal): Promise<'update' | 'timeout' | 'closed' | 'aborted'> {
    if (closing.aborted) return 'closed';
    if (signal.aborted) return 'aborted';
    const outcome = await new Promise<'update' | 'timeout' | 'closed' | 'aborted' | 'conflict'>((resolve) => {
      const poll: PendingPoll = {
        wake: (why) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          closing.removeEventListener('abort', onClose);
          this.polls.delete(poll);
          resolve(why);
        },
      };
      const onAbort = (): void => poll.wake('aborted');
      const onClose = (): void => poll.wake('closed');
      const timer = setTimeout(() => poll.wake('timeout'), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      closing.addEventListener('abort', onClose, { once: true });
      this.polls.add(poll);
      for (const listener of this.pollListeners) listener();
    });
    if (outcome === 'conflict') throw new ApiError(409, DESCRIPTIONS.conflictPolling);
    return outcome;
  }

  /** Calls `listener` whenever a getUpdates call starts waiting; returns an unsubscribe function. */
  onPollWaiting(listener: () => void): () => void {
    this.pollListeners.add(listener);
    return () => this.pollListeners.delete(listener);
  }
}
