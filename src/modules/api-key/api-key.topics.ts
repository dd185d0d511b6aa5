import { defineTopic } from '../../platform/pubsub/topic';

export interface ApiKeyRevokedPayload {
  apiKeyId: string;
}

/** A key was revoked: every instance closes the key's open sockets. */
export const API_KEY_REVOKED = defineTopic<ApiKeyRevokedPayload>('API_KEY_REVOKED');
