/**
 * A clock a test moves: it runs with real time from wherever it was last set, so a
 * reminder "a few seconds ahead" comes in a few real seconds, and a day passes in one
 * call. The app gets it through startApp's options (startTestServer passes one), which no
 * environment variable reaches: production always runs on the system clock.
 */
import type { Clock } from '../../src/platform/clock';

export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock by ms (a day: 86_400_000); it keeps running from there. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Sets the clock to `at`; it keeps running from there. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }
}
