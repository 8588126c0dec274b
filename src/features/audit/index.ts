/** The audit trail of the office's actions (/audit), scoped by role. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import { Handlers } from '../../platform/bot/handlers.js';
import type { Services } from '../index.js';
import { auditFeature } from './bot.js';

export { createAuditService, type AuditService } from './service.js';

export const auditModule: FeatureModule<Services> = {
  name: 'audit',
  composer: new Handlers<BotContext>(auditFeature),
  commands: { admin: ['audit'] },
};
