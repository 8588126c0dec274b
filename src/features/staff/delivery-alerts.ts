/**
 * When a message cannot be delivered for a reason of its own (bad formatting, too long), the admin
 * who made it is told, once per message however many recipients failed.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { DeliveryFailure } from '../../platform/delivery/dispatcher.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { DEFAULT_LANGUAGE, isLanguage, type Translator } from '../../platform/i18n/index.js';

export function createDeliveryAlerts(deps: { prisma: PrismaClient; outbox: Outbox; translator: Translator }) {
  const { prisma, outbox, translator } = deps;
  return {
    async notifySender(failure: DeliveryFailure): Promise<void> {
      const message = await prisma.outboxMessage.findUnique({ where: { id: failure.messageId }, select: { createdBy: true } });
      // Alerts have no sender of their own, so an alert that fails cannot start a chain of alerts.
      if (!message?.createdBy) return;
      const sender = await prisma.user.findUnique({ where: { id: message.createdBy }, select: { language: true } });
      const lang = isLanguage(sender?.language) ? sender.language : DEFAULT_LANGUAGE;
      await outbox.enqueue({
        payload: { kind: 'TEXT', text: translator.t(lang, 'common.delivery_failed', { chatId: String(failure.chatId), reason: failure.reason }) },
        recipients: [message.createdBy],
        dedupeKey: `delivery-failed:${failure.messageId}`,
      });
    },
  };
}
