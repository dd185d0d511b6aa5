import { AppError } from '../../platform/common/errors';
import { AddressPolicy } from '../../platform/http/outbound-http';
import { settingsColumns, type SettingsRules } from './settings.validation';

const RULES: SettingsRules = { maxRecipients: 3, policy: new AddressPolicy([]) };

function refusal(fn: () => unknown): { code: string; field: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, field: err.extensions.field, message: err.message };
    throw err;
  }
  throw new Error('not refused');
}

describe('settingsColumns', () => {
  it('writes only the fields given, trimmed, without repeats', () => {
    expect(settingsColumns({ alertEmails: [' noc@carrier.test ', 'noc@carrier.test', 'ops@carrier.test'] }, RULES)).toEqual({
      alert_emails: ['noc@carrier.test', 'ops@carrier.test'],
      alert_phones: undefined,
      alert_webhook_urls: undefined,
      status_webhook_urls: undefined,
      time_zone: undefined,
    });
  });

  it('takes an empty list (no default recipients) and a zone in its canonical spelling', () => {
    expect(settingsColumns({ statusWebhookUrls: [], timeZone: ' europe/berlin ' }, RULES)).toMatchObject({ status_webhook_urls: [], time_zone: 'Europe/Berlin' });
    expect(settingsColumns({ timeZone: 'UTC' }, RULES)).toMatchObject({ time_zone: 'UTC' });
  });

  it.each([
    [{ alertEmails: ['not-an-email'] }, 'alertEmails.0'],
    [{ alertPhones: ['+4915112345678', '0151 123'] }, 'alertPhones.1'],
    [{ alertWebhookUrls: ['ftp://hooks.carrier.test/'] }, 'alertWebhookUrls.0'],
    [{ statusWebhookUrls: ['https://switch.carrier.test/', 'not a url'] }, 'statusWebhookUrls.1'],
    [{ alertEmails: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'] }, 'alertEmails'],
    [{ alertEmails: null }, 'alertEmails'],
    [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    [{ timeZone: '+01:00' }, 'timeZone'],
    [{ timeZone: null }, 'timeZone'],
  ])('refuses %p naming %s', (input, field) => {
    expect(refusal(() => settingsColumns(input, RULES))).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://10.1.2.3/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[::ffff:192.168.0.1]/hook',
    'http://0x7f.1/hook',
  ])('refuses a webhook URL no delivery may reach: %s', (url) => {
    const r = refusal(() => settingsColumns({ statusWebhookUrls: [url] }, RULES));
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field: 'statusWebhookUrls.0' });
    expect(r.message).toMatch(/refused/);
  });

  it('takes a loopback URL where the policy allows it (OUTBOUND_ALLOW_CIDRS), and any host name (judged after DNS at delivery)', () => {
    const allowLoopback = { ...RULES, policy: new AddressPolicy(['127.0.0.0/8']) };
    expect(settingsColumns({ alertWebhookUrls: ['http://127.0.0.1:8080/hook', 'http://localhost/x'] }, allowLoopback).alert_webhook_urls).toHaveLength(2);
    expect(settingsColumns({ alertWebhookUrls: ['https://hooks.carrier.test/alerts'] }, RULES).alert_webhook_urls).toEqual(['https://hooks.carrier.test/alerts']);
  });
});
