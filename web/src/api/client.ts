/**
 * The console's GraphQL client: queries and mutations over HTTP POST, subscriptions over
 * one graphql-ws socket, both with the signed-in key. Documents are the typed strings of
 * the project's codegen (client preset, documentMode: string), so no GraphQL runtime ships.
 */
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '../gql/graphql';
import { ConnectionMonitor } from './connection';

export interface ApiErrorShape {
  message: string;
  extensions?: { code?: string; requestId?: string };
}

/** A GraphQL answer with errors, or a transport failure (code NETWORK). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly requestId?: string,
  ) {
    super(message);
  }

  static from(errors: readonly ApiErrorShape[]): ApiError {
    const first = errors[0];
    return new ApiError(first?.message ?? 'Unknown error', first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR', first?.extensions?.requestId);
  }
}

/** Variables of a live feed: `after` is moved forward as rows arrive (see subscribe). */
export type FeedVariables = { after?: string | null } & Record<string, unknown>;

export interface FeedHandlers<R> {
  next(data: R): void;
  error?(error: ApiError): void;
}

const PONG_TIMEOUT_MS = 5_000;

export class Api {
  readonly connection = new ConnectionMonitor();
  private ws: Client | undefined;

  constructor(
    readonly key: string,
    private readonly origin = window.location.origin,
  ) {}

  async request<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<R> {
    let response: Response;
    try {
      response = await fetch(`${this.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
    } catch {
      throw new ApiError('The server cannot be reached', 'NETWORK');
    }
    const body = (await response.json().catch(() => null)) as { data?: R; errors?: ApiErrorShape[] } | null;
    if (!body) throw new ApiError(`The server answered ${response.status} without a GraphQL body`, 'NETWORK');
    if (body.errors?.length) throw ApiError.from(body.errors);
    return body.data as R;
  }

  /**
   * A live feed. graphql-ws re-sends the same subscribe payload after every reconnect, so
   * the feed's `after` is moved to the cursor of each row handled (`cursorOf`): a reconnect
   * resumes from the last row seen, the server replays what was missed, nothing twice.
   */
  subscribe<R, V extends FeedVariables>(document: TypedDocumentString<R, V>, variables: V, handlers: FeedHandlers<R>, cursorOf?: (data: R) => string | null | undefined): () => void {
    const payload = { query: document.toString(), variables: { ...variables } as FeedVariables };
    return this.socket().subscribe<R>(payload, {
      next: (result) => {
        if (result.errors?.length) return handlers.error?.(ApiError.from(result.errors as ApiErrorShape[]));
        if (!result.data) return;
        const cursor = cursorOf?.(result.data);
        if (cursor) payload.variables.after = cursor;
        handlers.next(result.data);
      },
      error: (err) => {
        const errors = Array.isArray(err) ? (err as ApiErrorShape[]) : [{ message: err instanceof Error ? err.message : 'The live feed closed' }];
        handlers.error?.(ApiError.from(errors));
      },
      complete: () => undefined,
    });
  }

  /** Opens the live socket now (it stays open while signed in). */
  connect(): void {
    this.socket();
  }

  close(): void {
    void this.ws?.dispose();
    this.ws = undefined;
  }

  private socket(): Client {
    if (this.ws) return this.ws;
    const monitor = this.connection;
    let pongWait: ReturnType<typeof setTimeout> | undefined;
    const url = `${this.origin.replace(/^http/, 'ws')}/graphql`;
    this.ws = createClient({
      url,
      // Open while signed in, so the connection badge tells the truth on every page.
      lazy: false,
      connectionParams: { authorization: `Bearer ${this.key}` },
      // A NOC screen never gives up: retry forever, at most ~5 s apart.
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5_000) + Math.random() * 300)),
      // A socket that silently stops (a dead NAT, a pulled cable) is found by its missing pong.
      keepAlive: 10_000,
      on: {
        connecting: (isRetry) => monitor.connecting(isRetry),
        connected: (socket) => monitor.connected(socket),
        closed: (event) => monitor.closed(event as CloseEvent | undefined),
        ping: (received) => {
          if (received) return;
          pongWait = setTimeout(() => monitor.closeSilentSocket(), PONG_TIMEOUT_MS);
        },
        pong: (received) => {
          if (received) clearTimeout(pongWait);
        },
      },
    });
    return this.ws;
  }
}
