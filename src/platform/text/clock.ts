/** Time is a dependency: services and jobs take a Clock so tests can move it (reminders, quiet hours, leases). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
