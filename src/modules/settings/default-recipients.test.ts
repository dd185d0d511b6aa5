import { alertRecipients } from './default-recipients';

const defaults = { emails: ['noc@carrier.test'], phones: ['+4915112345678'], webhookUrls: ['https://hooks.carrier.test/a'] };
const none = { emails: [], phones: [], webhookUrls: [] };

describe('alertRecipients', () => {
  it('sends a rule without recipients of its own to the settings\' ones', () => {
    expect(alertRecipients(none, defaults)).toBe(defaults);
  });

  it.each([
    ['an email', { ...none, emails: ['ops@carrier.test'] }],
    ['a phone', { ...none, phones: ['+14155550100'] }],
    ['a webhook URL', { ...none, webhookUrls: ['https://x.test/'] }],
  ])('sends a rule with %s only to its own', (_what, own) => {
    expect(alertRecipients(own, defaults)).toBe(own);
  });

  it('sends nowhere when neither names any', () => {
    expect(alertRecipients(none, none)).toEqual(none);
  });
});
