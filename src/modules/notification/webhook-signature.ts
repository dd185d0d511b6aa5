/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `${id}.${timestamp}.${body}`, HMAC-SHA256 with the secret's bytes (base64 after the
 * `whsec_` prefix), sent as `webhook-signature: v1,<base64>`. Every receiving endpoint
 * has its own secret, derived from WEBHOOK_SECRET and its URL: a receiver can verify
 * what is sent to it, but cannot sign a message another receiver would accept.
 */
import { createHmac } from 'node:crypto';

/** The URL as the receiver secret is derived from: WHATWG-normalised (host case, default port, dot segments), without the fragment (never sent). */
export function canonicalWebhookUrl(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

/**
 * The Standard Webhooks secret of one receiving endpoint: HMAC-SHA256 keyed with the
 * master secret over a label and the canonical URL, as `whsec_<base64 of 32 bytes>`.
 * One-way: a receiver's secret reveals neither the master secret nor another's.
 */
export function receiverSecret(masterSecret: string, url: string): string {
  const key = createHmac('sha256', secretBytes(masterSecret)).update(`lineguard webhook receiver v1\n${canonicalWebhookUrl(url)}`).digest();
  return `whsec_${key.toString('base64')}`;
}

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
