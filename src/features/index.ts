/**
 * The feature registry: every feature module, in the order its handlers are tried and its commands are
 * listed, and the composition of their use cases. Adding a feature is a folder and a line in each list.
 */
import type { PrismaClient } from '../platform/db/client.js';
import type { SqlReader } from '../platform/db/reader.js';
import type { Outbox } from '../platform/delivery/outbox.js';
import type { FeatureModule } from '../platform/bot/feature.js';
import type { Translator } from '../platform/i18n/index.js';
import type { KeyValueStore } from '../platform/kv/kv.js';
import type { Clock } from '../platform/text/clock.js';
import { createUserService } from '../platform/bot/users.js';
import { auditModule, createAuditService } from './audit/index.js';
import { broadcastsModule, createBroadcastService, createRecurringService } from './broadcasts/index.js';
import { createDeadlineService, deadlinesModule } from './deadlines/index.js';
import { createExportService, exportsModule } from './exports/index.js';
import { createFeedbackService, feedbackModule } from './feedback/index.js';
import { createNgoService, ngosModule } from './ngos/index.js';
import { createAdminService, createHolidayService, staffModule } from './staff/index.js';
import { createDeliveryAlerts } from './staff/delivery-alerts.js';
import { startModule } from './start/index.js';
import { createStatsService, statsModule } from './stats/index.js';
import { createCourseServices, trainingModule } from './training/index.js';

export interface ServiceDeps {
  prisma: PrismaClient;
  /** Plain SQL for the hottest reads (platform/db/reader.ts). */
  sql: SqlReader;
  kv: KeyValueStore;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  /** Messages per second of the dispatcher (time-left estimates). */
  sendRate: number;
  /** Edits a message the bot sent earlier (progress cards). */
  editMessage: (chatId: bigint, messageId: number, text: string, keyboard?: object) => Promise<void>;
}

export function createServices(deps: ServiceDeps) {
  const broadcasts = createBroadcastService(deps);
  const users = createUserService(deps);
  return {
    translator: deps.translator,
    users,
    admins: createAdminService({ ...deps, onRoleChanged: users.forget }),
    holidays: createHolidayService(deps),
    deliveryAlerts: createDeliveryAlerts(deps),
    ngos: createNgoService(deps),
    broadcasts,
    recurring: createRecurringService(deps, broadcasts),
    ...createCourseServices(deps),
    deadlines: createDeadlineService(deps),
    feedback: createFeedbackService(deps),
    audit: createAuditService(deps),
    stats: createStatsService(deps),
    exports: createExportService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;

declare module '../platform/bot/context.js' {
  // Handlers see every feature's use cases on ctx.services (see AppServices).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppServices extends Services {}
}

/** In the order their handlers are tried; the start module's catch-all runs after all of them. */
export const FEATURES: readonly FeatureModule<Services>[] = [
  startModule,
  staffModule,
  ngosModule,
  broadcastsModule,
  trainingModule,
  deadlinesModule,
  feedbackModule,
  auditModule,
  statsModule,
  exportsModule,
];
