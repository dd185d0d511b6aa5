/** Reads the API key from an HTTP header or graphql-ws connectionParams. */
import type { Principal } from './context';

/** The secret from "Bearer <key>" (or a bare key). */
export function secretFrom(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** Who holds a key: implemented by the api-key module, given to the transports by the composition root. */
export interface KeyAuthority {
  /** The principal of an active key, null for an unknown or revoked one. */
  authenticate(secret: string): Promise<Principal | null>;
  /** Whether the key (local id) is still active (a socket re-checks before every new operation). */
  isActive(apiKeyId: string): Promise<boolean>;
}

export async function authenticate(keys: KeyAuthority, header: unknown): Promise<Principal | null> {
  const secret = secretFrom(header);
  return secret ? keys.authenticate(secret) : null;
}
