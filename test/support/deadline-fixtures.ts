/** What an admin fills in for a reporting deadline, as the deadline tests start from. */
import type { DeadlineService } from '../../src/features/deadlines/index.js';

type GeneralInput = Parameters<DeadlineService['createGeneral']>[1];

/** A reporting deadline for every approved NGO, due Tuesday 1405/09/03 12:00, reminded the day before. */
export function autumnReport(overrides: Partial<GeneralInput> = {}): GeneralInput {
  return {
    title: 'گزارش عملکرد پاییز',
    description: null,
    audience: { countyIds: [], fieldIds: [] },
    dueDate: { jy: 1405, jm: 9, jd: 3 },
    dueTime: { hour: 12, minute: 0 },
    reminderDays: [1],
    ...overrides,
  };
}
