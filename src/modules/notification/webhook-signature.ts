/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `${id}.${timestamp}.${body}`, HMAC-SHA256 with the secret's bytes (base64 after the
 * `whsec_` prefix), sent as `webhook-signature: v1,<base64>`.
 */
import { createHmac } from 'node:crypto';

export function secretBytes(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return Buffer.from(b64, 'base64');
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one delivery attempt. */
export function webhookHeaders(secret: string, id: string, body: string, now: Date = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}
