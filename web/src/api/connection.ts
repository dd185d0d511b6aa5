/**
 * What the live socket is doing, for the always-visible connection badge, and a signal
 * for views whose data has no cursor (they refetch after a reconnect).
 */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting';

export interface ConnectionState {
  status: ConnectionStatus;
  /** When the current status began (ms since epoch). */
  since: number;
  /** Reconnects so far in this tab. */
  reconnects: number;
  /** The close reason of the last drop, when the server gave one. */
  lastReason?: string;
}

type Listener = () => void;

export class ConnectionMonitor {
  private state: ConnectionState = { status: 'connecting', since: Date.now(), reconnects: 0 };
  private readonly listeners = new Set<Listener>();
  private readonly reconnectListeners = new Set<Listener>();
  private socket: { close(code?: number, reason?: string): void } | undefined;
  private everConnected = false;

  get current(): ConnectionState {
    return this.state;
  }

  /** For useSyncExternalStore. */
  listen = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called after every reconnect (not the first connect). */
  onReconnect(listener: Listener): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  connecting(isRetry: boolean): void {
    if (this.state.status !== 'connecting' && this.state.status !== 'reconnecting') this.set({ status: isRetry ? 'reconnecting' : 'connecting' });
  }

  connected(socket: unknown): void {
    this.socket = socket as { close(code?: number, reason?: string): void };
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.set({ status: 'live', reconnects: this.state.reconnects + (reconnect ? 1 : 0), lastReason: undefined });
    if (reconnect) for (const l of this.reconnectListeners) l();
  }

  closed(event: { code?: number; reason?: string } | undefined): void {
    this.socket = undefined;
    const reason = event?.reason || (event?.code ? `closed (${event.code})` : undefined);
    this.set({ status: 'reconnecting', lastReason: reason });
  }

  /** No pong in time: close the socket so graphql-ws reconnects. */
  closeSilentSocket(): void {
    this.socket?.close(4408, 'No answer to ping');
  }

  private set(change: Partial<ConnectionState>): void {
    const statusChanged = change.status !== undefined && change.status !== this.state.status;
    this.state = { ...this.state, ...change, since: statusChanged ? Date.now() : this.state.since };
    for (const l of this.listeners) l();
  }
}
