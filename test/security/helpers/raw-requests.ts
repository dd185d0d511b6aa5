/**
 * Requests as an attacker sends them: raw query text (no client-side parsing or printing),
 * over HTTP or graphql-ws, with the time until the answer.
 */
import type { GraphQLErrorShape } from '../../helpers/graphql-client';
import type { ServerProcess } from './server-process';

export type Transport = 'http' | 'ws';

export interface RawResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorShape[];
  status?: number;
  ms: number;
}

export async function sendRaw(
  server: ServerProcess,
  transport: Transport,
  key: string,
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): Promise<RawResult> {
  const started = performance.now();
  if (transport === 'http') {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables, operationName }),
    });
    const body = (await res.json()) as { data?: Record<string, unknown>; errors?: GraphQLErrorShape[] };
    return { ...body, status: res.status, ms: performance.now() - started };
  }
  const ws = server.ws(key);
  try {
    return await new Promise<RawResult>((resolve, reject) => {
      let result: Omit<RawResult, 'ms'> = {};
      ws.client.subscribe(
        { query, variables, operationName },
        {
          next: (value) => (result = value as Omit<RawResult, 'ms'>),
          error: (err) => {
            if (Array.isArray(err)) resolve({ errors: err as GraphQLErrorShape[], ms: performance.now() - started });
            else reject(err instanceof Error ? err : new Error(`socket closed: ${JSON.stringify(err)}`));
          },
          complete: () => resolve({ ...result, ms: performance.now() - started }),
        },
      );
    });
  } finally {
    await ws.close();
  }
}
