/** The composition of use cases, built once in main.ts (or a test) and handed to every entry point. */
import type { PrismaClient } from '../platform/db/client.js';
import type { Outbox } from '../platform/delivery/outbox.js';
import type { Clock } from '../platform/text/clock.js';
import type { Translator } from '../platform/i18n/index.js';
import type { KeyValueStore } from '../platform/kv/kv.js';
import { createAdminService } from './staff/service.js';
import { createBroadcastService } from './broadcasts/service.js';
import { createCourseServices } from './training/courses-service.js';
import { createDeadlineService } from './deadlines/service.js';
import { createDeliveryAlerts } from './staff/delivery-alerts.js';
import { createFeedbackService } from './feedback/service.js';
import { createNgoService } from './ngos/service.js';
import { createUserService } from '../platform/bot/users.js';

export interface ServiceDeps {
  prisma: PrismaClient;
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
  return {
    translator: deps.translator,
    users: createUserService(deps),
    admins: createAdminService(deps),
    deliveryAlerts: createDeliveryAlerts(deps),
    ngos: createNgoService(deps),
    broadcasts: createBroadcastService(deps),
    ...createCourseServices(deps),
    deadlines: createDeadlineService(deps),
    feedback: createFeedbackService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
