/**
 * Correcting one item of an NGO's record with the registration's own question (same step, same
 * validation), whoever corrects it: the manager (profile-edit-form.ts) or the office (staff-edit-form.ts).
 * The registration's steps walk on to the next question; a correction ends in the form's 'apply' step.
 */
import { goto, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import type { RegistrationDraft } from './rules.js';
import type { EditableStep, NgoAnswers } from './steps.js';

/** What each item's answer changes in the record (the steps store answers under the draft's keys). */
export const CHANGE_OF: Record<EditableStep, (d: NgoAnswers) => Partial<RegistrationDraft>> = {
  name: (d) => ({ name: d.name }),
  registration_number: (d) => ({ registrationNumber: d.registrationNumber }),
  authority: (d) => ({ authority: d.authority, authorityOther: d.authorityOther ?? null }),
  fields: (d) => ({ fieldIds: d.fieldIds }),
  county: (d) => ({ countyId: d.countyId }),
  founded_year: (d) => ({ foundedYear: d.foundedYear ?? null }),
  member_count: (d) => ({ memberCount: d.memberCount ?? null }),
  manager_name: (d) => ({ managerName: d.managerName }),
  phone: (d) => ({ managerPhone: d.managerPhone }),
  description: (d) => ({ description: d.description ?? null }),
};

/** Steps that belong to one item: the authority's "other" text is part of the authority. */
const SAME_ITEM = new Set<string>(['authority', 'authority_other']);

/**
 * The step, ending in 'apply' once its answer is valid, except for a move inside the same item
 * (authority → authority_other).
 */
export function endingInApply<D extends NgoAnswers>(step: FormStep<NgoAnswers>): FormStep<D> {
  const redirect = (outcome: StepOutcome): StepOutcome => {
    if (outcome.type === 'next') return goto('apply');
    if (outcome.type === 'goto' && !(SAME_ITEM.has(step.id) && SAME_ITEM.has(outcome.step))) return goto('apply');
    return outcome;
  };
  const wrapped = { ...step } as unknown as FormStep<D>;
  const { onText, onCallback, onContact } = step;
  if (onText) wrapped.onText = async (ctx, text, data) => redirect(await onText(ctx, text, data));
  if (onCallback) wrapped.onCallback = async (ctx, arg, data) => redirect(await onCallback(ctx, arg, data));
  if (onContact) wrapped.onContact = async (ctx, contact, message, data) => redirect(await onContact(ctx, contact, message, data));
  return wrapped;
}
