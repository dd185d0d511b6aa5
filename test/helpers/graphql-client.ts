/**
 * A real GraphQL client over HTTP and graphql-ws, driven by the typed documents that
 * codegen generates from test/operations (so codegen runs on every test run).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { disposeLater } from './disposal';
import { within } from './waits';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLErrorShape[];
  headers: Headers;
}

const printed = new WeakMap<DocumentNode, string>();
function source(doc: DocumentNode): string {
  let s = printed.get(doc);
  if (!s) printed.set(doc, (s = print(doc)));
  return s;
}

export class HttpClient {
  constructor(
    readonly url: string,
    readonly key?: string,
  ) {}

  withKey(key: string | undefined): HttpClient {
    return new HttpClient(this.url, key);
  }

  async request<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars, headers: Record<string, string> = {}): Promise<GraphQLResponse<TData>> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.key ? { authorization: `Bearer ${this.key}` } : {}), ...headers },
      body: JSON.stringify({ query: source(doc as DocumentNode), variables }),
    });
    const body = (await res.json()) as { data?: TData; errors?: GraphQLErrorShape[] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  }

  /** The data of a request that must succeed; fails the test with the errors otherwise. */
  async data<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars): Promise<TData> {
    const r = await this.request(doc, variables);
    if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  /** The error code of a request that must fail. */
  async errorCode<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars): Promise<string | undefined> {
    const r = await this.request(doc, variables);
    if (!r.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(r.data)}`);
    return r.errors[0].extensions?.code;
  }
}

/** One subscription whose every message is queued, so none is missed between awaits. */
export class TestSubscription<T> {
  readonly received: T[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  private waiters: (() => void)[] = [];
  private dispose: () => void = () => undefined;
  private readonly end: Promise<void>;

  constructor(client: Client, query: string, variables: unknown) {
    let onEnd!: () => void;
    this.end = new Promise((resolve) => (onEnd = resolve));
    this.dispose = client.subscribe<T>(
      { query, variables: variables as Record<string, unknown> },
      {
        next: (v) => {
          if (v.errors) this.errors.push(v.errors);
          if (v.data) this.received.push(v.data as T);
          this.wake();
        },
        error: (e) => {
          this.errors.push(e);
          this.wake();
          onEnd();
        },
        complete: () => {
          this.completed = true;
          this.wake();
          onEnd();
        },
      },
    );
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `count` messages arrived (or fails after timeoutMs); woken by each message. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (this.errors.length) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.received.length} of ${count} messages`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  /** Resolves when the subscription errored or completed (e.g. the server closed it). */
  ended(timeoutMs = 10_000): Promise<void> {
    return within(this.end, timeoutMs, 'the subscription to end');
  }

  close(): void {
    this.dispose();
  }
}

/** A graphql-ws client; closed for the test by test/helpers/disposal.ts unless the test closes it first. */
export class WsClient {
  readonly client: Client;
  closeCode?: number;
  private readonly closedOnce: Promise<number | undefined>;
  readonly close: () => Promise<void>;

  constructor(url: string, key?: string) {
    let onClosed!: (code: number | undefined) => void;
    this.closedOnce = new Promise((resolve) => (onClosed = resolve));
    this.client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: key ? { authorization: `Bearer ${key}` } : {},
      on: {
        closed: (e) => {
          this.closeCode = (e as { code?: number }).code;
          onClosed(this.closeCode);
        },
      },
      onNonLazyError: () => undefined,
    });
    this.close = disposeLater(() => this.client.dispose());
  }

  subscribe<TData, TVars>(doc: TypedDocumentNode<TData, TVars>, variables?: TVars): TestSubscription<TData> {
    return new TestSubscription<TData>(this.client, source(doc as DocumentNode), variables);
  }

  /** Resolves with the close code once the socket is closed (undefined if it is still open after timeoutMs). */
  closed(timeoutMs = 10_000): Promise<number | undefined> {
    return within(this.closedOnce, timeoutMs, 'the socket to close').catch(() => this.closeCode);
  }
}

/**
 * Polls until check() is true (fails after timeoutMs). Only for state nothing announces:
 * a row in PostgreSQL (written by the server's own transaction) or EventBus.listenerCount
 * (a counter with no change event); anything a test can hear (a socket closing, a
 * subscription message, a mail or webhook arriving, a process exiting) is awaited instead.
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
