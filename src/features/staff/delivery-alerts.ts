/**
 * When a message cannot be delivered for a reason of its own (bad formatting, too long), the admin
 * who made it is told, once per message however many recipients failed.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { DeliveryFailure } from '../../platform/delivery/dispatcher.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { type Translator, languageOr } from '../../platform/i18n/index.js';
import { deliveryFailed } from './notices.js';

export function createDeliveryAlerts(deps: { prisma: PrismaClient; outbox: Outbox; translator: Translator }) {
  const { prisma, outbox, translator } = deps;
  return {
    async notifySender(failure: DeliveryFailure): Promise<void> {
      const message = await outbox.origin(failure.messageId);
      // Alerts have no sender of their own, so an alert that fails cannot start a chain of alerts.
      if (!message?.createdBy) return;
      const sender = await prisma.user.findUnique({ where: { id: message.createdBy }, select: { language: true } });
      const lang = languageOr(sender?.language);
      await outbox.enqueue({
        payload: deliveryFailed(translator, lang, failure.chatId, failure.reason),
        recipients: [message.createdBy],
        dedupeKey: `delivery-failed:${failure.messageId}`,
      });
    },
  };
}
