/**
 * Lists of operator recipients (an alert rule's, the settings' defaults): e-mail
 * addresses, E.164 phone numbers, http(s) webhook URLs. Every list is capped
 * (MAX_RULE_RECIPIENTS): each alert fans out to every entry. Each check throws
 * BAD_USER_INPUT naming the entry (`field.index`).
 */
import { badInput } from './errors';
import { E164_RE } from './validation';
import type { AddressPolicy } from '../http/outbound-http';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Longer addresses and URLs are refused: they are stored in every queued message. */
const MAX_EMAIL_LENGTH = 320;
const MAX_URL_LENGTH = 2_000;

/** A list longer than the cap is refused. */
export function capped(list: readonly string[] | null | undefined, field: string, max: number): void {
  if ((list?.length ?? 0) > max) throw badInput(`${field} takes at most ${max} entries (MAX_RULE_RECIPIENTS), got ${list!.length}`, field);
}

export function checkEmails(list: readonly string[] | null | undefined, field: string): void {
  (list ?? []).forEach((e, i) => {
    if (!EMAIL_RE.test(e) || e.length > MAX_EMAIL_LENGTH) throw badInput(`"${e.slice(0, 80)}" is not an email address`, `${field}.${i}`);
  });
}

export function checkPhones(list: readonly string[] | null | undefined, field: string): void {
  (list ?? []).forEach((p, i) => {
    if (!E164_RE.test(p)) throw badInput(`"${p.slice(0, 40)}" is not an E.164 phone number (e.g. +14155550100)`, `${field}.${i}`);
  });
}

function httpUrl(s: string): URL | null {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

/**
 * http(s) URLs. With a policy, a URL whose host is an address literal (or `localhost`,
 * which always means loopback, RFC 6761) is judged now by the outbound address policy,
 * so an address no delivery may reach is refused when it is saved. Host names are
 * judged at every delivery, after DNS (platform/http/outbound-http.ts): what a name
 * resolves to can change after it is saved.
 */
export function checkWebhookUrls(list: readonly string[] | null | undefined, field: string, policy?: AddressPolicy): void {
  (list ?? []).forEach((u, i) => {
    const url = u.length <= MAX_URL_LENGTH ? httpUrl(u) : null;
    if (!url) throw badInput(`"${u.slice(0, 200)}" is not an http(s) URL`, `${field}.${i}`);
    if (!policy) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const literal = host === 'localhost' || host.endsWith('.localhost') ? '127.0.0.1' : host;
    const refusal = /^[\d.]+$|:/.test(literal) ? policy.refusal(literal) : null;
    if (refusal) throw badInput(`"${u.slice(0, 200)}" is refused: ${refusal}`, `${field}.${i}`);
  });
}
