/**
 * Subscriptions whose events a service produces (catch-up by cursor, narrowing to what
 * the caller may see), not a bare pub/sub topic.
 *
 * type-graphql calls a subscription's own `subscribe` function without the resolver
 * instance, so such a function could only reach its service through a global or the
 * request context. Its `topics` form instead goes through the schema's PubSub, which
 * the composition root builds: a feed is a named route in that PubSub to the service
 * that opens it, given the caller's context and the field's arguments.
 */
import type { PubSub } from 'type-graphql';
import type { RequestContext } from './context';

/** A feed's name and the arguments of the subscription field that opens it. */
export interface Feed<Args> {
  readonly name: string;
  /** Carries the argument type for the compiler; never set. */
  readonly args?: Args;
}

export function defineFeed<Args>(name: string): Feed<Args> {
  return { name };
}

const routingKey = (feed: Feed<unknown>) => `feed:${feed.name}`;

interface FeedRequest<Args> {
  args: Args;
  context: RequestContext;
}

/** `@Subscription(() => T, { ...fromFeed(FEED) })`: the subscription's events are the feed's. */
export function fromFeed<Args>(feed: Feed<Args>): { topics: string; topicId: (data: FeedRequest<Args>) => FeedRequest<Args> } {
  return { topics: routingKey(feed), topicId: ({ args, context }) => ({ args, context }) };
}

/** Opens a feed for one subscriber; may refuse (NOT_FOUND, FORBIDDEN) before anything is sent. */
export type FeedSource<Args> = (ctx: RequestContext, args: Args) => Promise<AsyncIterable<unknown>>;

export interface FeedRoute {
  key: string;
  open: FeedSource<never>;
}

export function route<Args>(feed: Feed<Args>, open: FeedSource<Args>): FeedRoute {
  return { key: routingKey(feed), open: open as FeedSource<never> };
}

/** The schema's PubSub: the routed feeds by name, every other topic to `topics`. */
export function withFeeds(topics: PubSub, routes: readonly FeedRoute[]): PubSub {
  const byKey = new Map(routes.map((r) => [r.key, r.open]));
  return {
    publish: (name, ...args) => topics.publish(name, ...args),
    subscribe: (name, id) => {
      const open = byKey.get(name);
      if (!open) return topics.subscribe(name, id);
      const { context, args } = id as FeedRequest<never>;
      // graphql-js awaits a subscribe resolver's promise: the feed opens (or refuses)
      // before the subscription is acknowledged, as with a subscribe function.
      return open(context, args) as unknown as AsyncIterable<unknown>;
    },
  };
}
