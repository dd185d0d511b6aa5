/**
 * Delivers one claimed outbox row over its channel. Throws on failure:
 * PermanentDeliveryError when retrying cannot help (channel not configured, address
 * refused), any other error when a later attempt may succeed.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../platform/config';
import { AddressPolicy, expectSuccess, PermanentDeliveryError, postJson } from '../../platform/http/outbound-http';
import type { NotificationRow } from './notification-outbox';
import { receiverSecret, webhookHeaders } from './webhook-signature';

export class NotificationDelivery {
  private readonly policy: AddressPolicy;
  private transport?: Transporter;

  constructor(private readonly config: Config) {
    this.policy = new AddressPolicy(config.outboundAllowCidrs);
  }

  async deliver(row: NotificationRow): Promise<void> {
    switch (row.channel) {
      case 'EMAIL':
        return this.email(row);
      case 'SMS':
        return this.sms(row);
      case 'WEBHOOK':
        return this.webhook(row);
    }
  }

  private async email(row: NotificationRow): Promise<void> {
    if (!this.config.smtpUrl) throw new PermanentDeliveryError('email is not configured (SMTP_URL is not set)');
    // SMTP_URL is operator configuration, not user input: it is not subject to the address policy.
    // Pooled: a burst (e.g. a low-balance wave) reuses a few SMTP sessions instead of one per message.
    this.transport ??= nodemailer.createTransport({
      url: this.config.smtpUrl,
      pool: true,
      maxConnections: 5,
      maxMessages: 500,
      connectionTimeout: this.config.deliveryTimeoutMs,
      greetingTimeout: this.config.deliveryTimeoutMs,
      socketTimeout: this.config.deliveryTimeoutMs,
    } as nodemailer.TransportOptions);
    await this.transport.sendMail({
      from: this.config.mailFrom,
      to: row.recipient,
      bcc: row.bcc.length ? row.bcc : undefined,
      subject: row.subject,
      html: row.body,
      headers: { 'X-Lineguard-Notification': `ntf_${row.id}` },
    });
  }

  private async sms(row: NotificationRow): Promise<void> {
    if (!this.config.smsGatewayUrl) throw new PermanentDeliveryError('SMS is not configured (SMS_GATEWAY_URL is not set)');
    const headers: Record<string, string> = this.config.smsGatewayToken ? { authorization: `Bearer ${this.config.smsGatewayToken}` } : {};
    const r = await postJson(this.config.smsGatewayUrl, JSON.stringify({ to: row.recipient, text: row.body }), headers, {
      policy: this.policy,
      timeoutMs: this.config.deliveryTimeoutMs,
    });
    expectSuccess('SMS gateway', r);
  }

  private async webhook(row: NotificationRow): Promise<void> {
    const body = JSON.stringify(row.payload ?? {});
    let secret: string;
    try {
      secret = receiverSecret(this.config.webhookSecret, row.recipient);
    } catch {
      throw new PermanentDeliveryError(`not a URL: ${row.recipient.slice(0, 200)}`);
    }
    const r = await postJson(row.recipient, body, webhookHeaders(secret, row.webhook_id, body), {
      policy: this.policy,
      timeoutMs: this.config.deliveryTimeoutMs,
    });
    expectSuccess('webhook', r);
  }

  close(): void {
    this.transport?.close();
  }
}
