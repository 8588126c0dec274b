/**
 * The text a Prometheus server scrapes from /metrics: the process's counters and Node's own metrics,
 * and the outbox's backlog, read on each scrape with one cheap query (so a scrape every 15 s costs the
 * database one index scan, and the figure is never stale).
 */
import { Gauge, Registry } from 'prom-client';
import type { OutboxBacklog } from '../delivery/outbox.js';
import { collectProcessMetrics, PREFIX, processRegistry } from './instruments.js';

const UNKNOWN: OutboxBacklog = { due: Number.NaN, scheduled: Number.NaN, oldestDueAgeSeconds: Number.NaN };

const BACKLOG_GAUGES: readonly [keyof OutboxBacklog, string, string][] = [
  ['due', 'outbox_due', 'Deliveries waiting to be sent whose time has come (pending and due, or being sent).'],
  ['scheduled', 'outbox_scheduled', 'Deliveries held for later (quiet hours, a scheduled announcement, a retry backoff, a reminder held for the morning).'],
  ['oldestDueAgeSeconds', 'outbox_oldest_due_age_seconds', 'How long the oldest due pending delivery has waited past its time; 0 when nothing is due.'],
];

export interface MetricsSources {
  /** The outbox's backlog now (Outbox.backlog). */
  backlog: () => Promise<OutboxBacklog>;
}

export interface MetricsEndpoint {
  contentType: string;
  render(): Promise<string>;
}

export function createMetricsEndpoint(sources: MetricsSources): MetricsEndpoint {
  collectProcessMetrics();
  // The backlog belongs to this app's database: its gauges live in a registry of the app's own.
  const own = new Registry();
  // The three gauges share one query per scrape (render starts a new reading); with the database away
  // they say NaN and the rest is served.
  let reading: Promise<OutboxBacklog> | undefined;
  const backlog = () => (reading ??= sources.backlog().catch(() => UNKNOWN));
  for (const [field, name, help] of BACKLOG_GAUGES) {
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [own],
      async collect() {
        this.set((await backlog())[field]);
      },
    });
  }
  const registry = Registry.merge([processRegistry, own]);
  return {
    contentType: registry.contentType,
    render() {
      reading = undefined;
      return registry.metrics();
    },
  };
}
