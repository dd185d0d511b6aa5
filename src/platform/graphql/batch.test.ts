import { allEach, oneEach } from './batch';

describe('DataLoader batch answers', () => {
  const rows = [
    { id: 'b', n: 2 },
    { id: 'a', n: 1 },
    { id: 'b', n: 3 },
  ];

  it('oneEach answers in key order, with the missing value for keys without a row', () => {
    expect(oneEach(['a', 'x', 'b'], rows.slice(0, 2), (r) => r.id, (r) => r.n, null)).toEqual([1, null, 2]);
    expect(oneEach(['x'], [], (r: { id: string }) => r.id, () => 1, 0)).toEqual([0]);
  });

  it('allEach groups rows per key in row order, [] for keys without rows', () => {
    expect(allEach(['b', 'x', 'a'], rows, (r) => r.id, (r) => r.n)).toEqual([[2, 3], [], [1]]);
  });
});
