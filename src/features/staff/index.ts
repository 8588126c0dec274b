/** The office's staff: who they are, their scope (province or county), adding and removing them. */
import type { FeatureModule } from '../../platform/bot/feature.js';
import { adminsFeature } from './bot.js';

export { requireAdmin, staffOnly } from './guards.js';
export { createAdminService, type AdminService } from './service.js';
export { recordAudit } from '../../platform/db/audit.js';

export const staffModule: FeatureModule = {
  name: 'staff',
  composer: adminsFeature,
  commands: { admin: ['admins', 'add_admin', 'remove_admin'] },
};
