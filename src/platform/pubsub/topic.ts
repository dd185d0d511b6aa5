/**
 * A pub/sub topic and the payload it carries. Each feature declares the topics it
 * publishes in its own module (e.g. `defineTopic<AlertEventPayload>('ALERT_EVENT')`);
 * the bus types publish, listen and stream by them.
 *
 * Payloads cross Redis as JSON, so they hold only strings, numbers, booleans and nulls
 * (dates as ISO strings, money as decimal strings, ids as local ids).
 */
export interface Topic<Payload> {
  /** The Redis channel is `${prefix}:${name}`, shared by every instance: renaming one splits a running deployment. */
  readonly name: string;
  /** Carries the payload type for the compiler; never set. */
  readonly payload?: Payload;
}

export function defineTopic<Payload>(name: string): Topic<Payload> {
  return { name };
}
