import { AppError } from './errors';
import { ianaTimeZone } from './time-zone';

describe('ianaTimeZone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    [' europe/berlin ', 'Europe/Berlin'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
    ['Asia/Tokyo', 'Asia/Tokyo'],
    ['UTC', 'UTC'],
  ])('takes %p as %p', (input, stored) => {
    expect(ianaTimeZone(input, 'timeZone')).toBe(stored);
  });

  it.each(['', 'Mars/Olympus_Mons', '+01:00', '-0500', 'Europe/Berlin; DROP TABLE x', 'a'.repeat(65), '../etc/passwd'])('refuses %p, naming the field', (input) => {
    try {
      ianaTimeZone(input, 'timeZone');
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    }
  });
});
