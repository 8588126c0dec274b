/** The office's staff: who they are, their scope (province or county), invites, role changes and removals; and the official holidays. */
import type { FeatureModule } from '../../platform/bot/feature.js';
import type { BotContext } from '../../platform/bot/context.js';
import { adminsFeature } from './bot.js';
import { holidaysFeature } from './holidays-bot.js';
import { invitesFeature } from './invites-bot.js';
import { Handlers } from '../../platform/bot/handlers.js';

export { requireAdmin, staffOnly } from './guards.js';
export { contactLines, officeContactParams, withContacts } from './contacts.js';
export { createAdminService, type AdminService, type AdminView } from './service.js';
export { roleLabel, type StaffRole } from './notices.js';
export { createHolidayService, loadHolidays, type HolidayService } from './holidays-service.js';
export { recordAudit } from '../../platform/db/audit.js';
export { coversCounty, ngoScope, scopedCounties, staffMember, type StaffMember } from './scope.js';

export const staffModule: FeatureModule = {
  name: 'staff',
  composer: new Handlers<BotContext>(adminsFeature, invitesFeature, holidaysFeature),
  commands: { admin: ['admins', 'add_admin', 'remove_admin', 'holidays', 'add_holiday', 'remove_holiday'] },
};
