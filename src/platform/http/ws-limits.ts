/**
 * graphql-ws limits: open sockets per API key (counted per instance) and open operations
 * per socket. Each subscription runs its selection once per event, so these two caps
 * bound the work one key can make every event cost an instance.
 */
import type { WebSocket } from 'ws';
import { limitExceeded, type AppError } from '../common/errors';
import type { WsLimitsConfig } from '../config';

/** Close code of a socket refused for a limit (graphql-ws clients do not retry it). */
export const CLOSE_TOO_MANY = 4429;

/** The open sockets of each key on this instance (also used to close them on revocation). */
export class KeySockets {
  private readonly byKey = new Map<string, Set<WebSocket>>();

  constructor(private readonly maxPerKey: number) {}

  /** Registers the socket; false (and not registered) when the key holds the maximum already. */
  add(keyId: string, socket: WebSocket): boolean {
    const set = this.byKey.get(keyId) ?? new Set();
    if (set.size >= this.maxPerKey) return false;
    set.add(socket);
    this.byKey.set(keyId, set);
    return true;
  }

  remove(keyId: string, socket: WebSocket): void {
    const set = this.byKey.get(keyId);
    if (!set?.delete(socket)) return;
    if (!set.size) this.byKey.delete(keyId);
  }

  of(keyId: string): Iterable<WebSocket> {
    return this.byKey.get(keyId) ?? [];
  }
}

/** The reason a socket over the per-key cap is closed with (WebSocket reasons are at most 123 bytes). */
export function tooManySocketsReason(limits: WsLimitsConfig): string {
  return `Too many open sockets for this API key (WS_MAX_SOCKETS_PER_KEY=${limits.maxSocketsPerKey})`;
}

const capRefusals = new Map<number, AppError>();

/** One error object per cap value: a flood is answered thousands of times, and building an error captures a stack. */
function subscriptionCapRefusal(max: number): AppError {
  let refusal = capRefusals.get(max);
  if (!refusal) {
    refusal = limitExceeded(
      `Too many operations open on this socket: at most ${max} (WS_MAX_SUBSCRIPTIONS_PER_SOCKET); complete one or open another socket`,
      'WS_MAX_SUBSCRIPTIONS_PER_SOCKET',
      max,
    );
    capRefusals.set(max, refusal);
  }
  return refusal;
}

/**
 * The operations open on one socket. graphql-ws's own registry also holds operations it
 * is still refusing (until their error is sent), so a burst would count against the cap
 * and cost a scan per message; this counts admitted operations only.
 */
export class OperationSlots {
  private readonly open = new Set<string>();
  private refusedInARow = 0;

  constructor(readonly max: number) {}

  /** Takes a slot for the operation, or answers the refusal when the socket holds the maximum. */
  take(id: string): AppError | null {
    if (this.open.size >= this.max) {
      this.refusedInARow++;
      return subscriptionCapRefusal(this.max);
    }
    this.refusedInARow = 0;
    this.open.add(id);
    return null;
  }

  /**
   * A client that sends more operations after `max` refusals in a row is flooding: each
   * refusal still costs the server parsing and a reply, so the socket is closed instead.
   */
  get flooding(): boolean {
    return this.refusedInARow > this.max;
  }

  release(id: string): void {
    this.open.delete(id);
  }
}

/** How long a closed flooding socket has to complete the closing handshake before it is cut. */
const FLOOD_CLOSE_GRACE_MS = 1_000;

/**
 * Closes a flooding socket (see OperationSlots.flooding). Its further messages are no
 * longer handed to graphql-ws (ws still reads them, so the client's close reply is seen
 * behind the flood); the close waits for the refusals already answered to go out first.
 * A client that ignores the close is cut after a second, not after ws' 30 s.
 */
export function closeFloodingSocket(socket: WebSocket, max: number): void {
  socket.removeAllListeners('message');
  setImmediate(() => {
    socket.close(CLOSE_TOO_MANY, `Kept sending operations past WS_MAX_SUBSCRIPTIONS_PER_SOCKET=${max}`);
    setTimeout(() => socket.terminate(), FLOOD_CLOSE_GRACE_MS).unref();
  });
}
