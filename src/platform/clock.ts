/**
 * The time schedules run on. Jobs that act on a schedule read now() once per pass and
 * hand it to their SQL as a parameter (never `now()` in that SQL), so one clock decides
 * both what JavaScript and what PostgreSQL consider due. Production runs on the system
 * clock; only code that starts the app itself (startApp's options: the tests) can give
 * another one. No configuration variable can, so no deployment can move its own time.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
