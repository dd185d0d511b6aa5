import { DistinctValues, plainArrayLiteral, textArrayLiteral } from './array-literal';

describe('array literals', () => {
  it('match the shapes node-postgres would send', () => {
    expect(plainArrayLiteral([])).toBe('{}');
    expect(plainArrayLiteral(['0.5', null, 3])).toBe('{0.5,NULL,3}');
    expect(textArrayLiteral(['a', null, '', 'NULL', 'x"y\\z', 'a,b {c}'])).toBe('{"a",NULL,"","NULL","x\\"y\\\\z","a,b {c}"}');
  });
});

describe('DistinctValues', () => {
  it('numbers values from 1 in first-seen order, once each', () => {
    const d = new DistinctValues();
    expect(['b', 'a', 'b', 'c', 'a'].map((v) => d.position(v))).toEqual([1, 2, 1, 3, 2]);
    expect(d.values).toEqual(['b', 'a', 'c']);
    expect(d.size).toBe(3);
  });
});
