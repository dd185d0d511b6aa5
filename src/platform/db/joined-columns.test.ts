import { joinedColumns } from './joined-columns';

describe('joinedColumns', () => {
  it('selects each column under its qualified name and reads the row back by plain names', () => {
    const c = joinedColumns<{ id: string; name: string }>(`c.id, c.name`);
    expect(c.sql).toBe('c.id AS "c.id", c.name AS "c.name"');
    expect(c.read({ id: 'event', 'c.id': 'u1', 'c.name': 'North' })).toEqual({ id: 'u1', name: 'North' });
  });

  it('reads null where the join found no row', () => {
    expect(joinedColumns(`c.id, c.name`).read({ 'c.id': null, 'c.name': null })).toBeNull();
  });

  it('refuses expressions, whose name it cannot know', () => {
    expect(() => joinedColumns(`c.id, lower(c.name)`)).toThrow(/not alias.column/);
  });
});
