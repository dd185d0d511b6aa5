import { defineTopic } from '../../platform/pubsub/topic';

export interface ApiKeyRevokedPayload {
  apiKeyId: string;
}

/** A key was revoked: every instance closes the key's open sockets and drops it from its key cache. */
export const API_KEY_REVOKED = defineTopic<ApiKeyRevokedPayload>('API_KEY_REVOKED');

export interface ApiKeyChangedPayload {
  apiKeyId: string;
}

/** A key's role, customer or activity changed (ADMIN_API_KEY restored at start): every instance drops it from its key cache. */
export const API_KEY_CHANGED = defineTopic<ApiKeyChangedPayload>('API_KEY_CHANGED');
