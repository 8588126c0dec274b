/**
 * When a message cannot be delivered for a reason of its own (bad formatting, too long), the admin
 * who made it is told, once per message however many recipients failed: in their language, with the
 * recipient's name rather than a chat id and the cause rather than the Bot API's English.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { DeliveryFailure } from '../../platform/delivery/dispatcher.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { failureCause } from '../../platform/delivery/telegram-errors.js';
import { type Translator, languageOr } from '../../platform/i18n/index.js';
import { deliveryFailed } from './notices.js';

export function createDeliveryAlerts(deps: { prisma: PrismaClient; outbox: Outbox; translator: Translator }) {
  const { prisma, outbox, translator } = deps;

  /** The recipient as people know them: their name, and their NGO's when they belong to one. */
  async function recipientOf(chatId: bigint): Promise<{ name: string; ngo: string | null } | null> {
    const user = await prisma.user.findUnique({
      where: { id: chatId },
      select: { firstName: true, lastName: true, username: true, membership: { select: { ngo: { select: { name: true } } } } },
    });
    if (!user) return null;
    const name = [user.firstName, user.lastName].filter(Boolean).join(' ').trim() || (user.username ? `@${user.username}` : '');
    return name ? { name, ngo: user.membership?.ngo.name ?? null } : null;
  }

  return {
    async notifySender(failure: DeliveryFailure): Promise<void> {
      const message = await outbox.origin(failure.messageId);
      // Alerts have no sender of their own, so an alert that fails cannot start a chain of alerts.
      if (!message?.createdBy) return;
      const sender = await prisma.user.findUnique({ where: { id: message.createdBy }, select: { language: true } });
      const lang = languageOr(sender?.language);
      await outbox.enqueue({
        payload: deliveryFailed(translator, lang, await recipientOf(failure.chatId), failureCause(failure.reason)),
        recipients: [message.createdBy],
        dedupeKey: `delivery-failed:${failure.messageId}`,
      });
    },
  };
}
