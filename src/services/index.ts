/** The composition of use cases, built once in main.ts (or a test) and handed to every entry point. */
import type { PrismaClient } from '../db/client.js';
import type { Outbox } from '../delivery/outbox.js';
import type { Clock } from '../domain/clock.js';
import type { Translator } from '../i18n/index.js';
import type { KeyValueStore } from '../kv/kv.js';
import { createAdminService } from './admins.js';
import { createBroadcastService } from './broadcasts.js';
import { createCourseServices } from './courses.js';
import { createDeadlineService } from './deadlines.js';
import { createDeliveryAlerts } from './delivery-alerts.js';
import { createFeedbackService } from './feedback.js';
import { createNgoService } from './ngos.js';
import { createUserService } from './users.js';

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
