/** The office's exports: its tables as XLSX workbooks or CSV files, within each staff member's scope. */
import type { BotContext } from '../../platform/bot/context.js';
import type { FeatureModule } from '../../platform/bot/feature.js';
import { Handlers } from '../../platform/bot/handlers.js';
import type { Services } from '../index.js';
import { exportsFeature } from './bot.js';

export { createExportService, type ExportFile, type ExportService } from './service.js';
export { exportLayout } from './layout.js';

export const exportsModule: FeatureModule<Services> = {
  name: 'exports',
  composer: new Handlers<BotContext>(exportsFeature),
  commands: { admin: ['export'] },
};
