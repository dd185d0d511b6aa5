/** Reads the API key from an HTTP header or graphql-ws connectionParams. */
import type { ApiKeyService } from '../../modules/api-key/api-key.service';
import type { Principal } from './context';

/** The secret from "Bearer <key>" (or a bare key). */
export function secretFrom(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export async function authenticate(apiKeys: ApiKeyService, header: unknown): Promise<Principal | null> {
  const secret = secretFrom(header);
  return secret ? apiKeys.authenticate(secret) : null;
}
