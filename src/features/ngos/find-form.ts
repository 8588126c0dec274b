/**
 * /find: the office's search for an NGO, as a one-step form so that its result pages keep their query.
 * Each result opens the NGO's profile (a button that works on its own, also after the form); while the
 * form is open, whatever the admin types is a new search. Staff only, re-checked on every answer.
 */
import { FormRunner, stay } from '../../platform/bot/forms/engine.js';
import { isLabel } from '../../platform/bot/forms/keyboards.js';
import { staffOnly } from '../staff/index.js';
import { manageButtons } from './callbacks.js';
import { ngoPickerStep, type NgoPickerData } from './ngo-picker.js';
import { showStaffProfile } from './staff-card.js';

export type FindAnswers = NgoPickerData;

export const findForm: FormRunner<FindAnswers> = new FormRunner<FindAnswers>({
  name: 'ngo_find',
  titleKey: 'ngo.search.title',
  prefix: 'nfind',
  guard: staffOnly,
  steps: [
    ngoPickerStep<FindAnswers>({
      id: 'query',
      form: () => findForm,
      askKey: 'ngo.search.ask',
      back: false,
      resultButton: (ngoId) => manageButtons.open.data(ngoId),
      // A number that names one NGO opens its profile; the admin may search again at once.
      pick: async (ctx, ngoId) => {
        await showStaffProfile(ctx, ngoId, false);
        return stay;
      },
    }),
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});
