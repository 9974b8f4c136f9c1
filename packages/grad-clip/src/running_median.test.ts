import {RunningMedian} from './running_median';

describe('RunningMedian', () => {
  it('keeps the median of the last `window` finite values', () => {
    const m = new RunningMedian(3);
    expect(m.median()).toBeNaN();
    for (const v of [5, 1, NaN, 3, Infinity]) m.push(v);
    expect(m.median()).toBe(3); // [5, 1, 3]
    m.push(10); // [1, 3, 10]
    expect(m.median()).toBe(3);
    m.push(2); // [3, 10, 2] → even count never happens here; median 3
    expect(m.getState()).toEqual([3, 10, 2]);
    const n = new RunningMedian(4);
    n.setState([1, 2, 3, 4, 5]);
    expect(n.median()).toBe(3.5); // [2,3,4,5]: (3+4)/2
  });
  it('rejects a bad window before anything', () => {
    expect(() => new RunningMedian(0)).toThrow('RunningMedian: window must be an integer >= 1, got 0');
  });
});

describe('RunningMedian.isSpike', () => {
  it('is v > factor·|median| after warmup values', () => {
    const m = new RunningMedian(5);
    expect(m.isSpike(100, 10)).toBe(false); // nothing held yet
    for (const v of [1, 2, 3]) m.push(v); // median 2
    expect(m.isSpike(20, 10)).toBe(false);
    expect(m.isSpike(20.5, 10)).toBe(true);
    expect(m.isSpike(20.5, 10, 4)).toBe(false); // only 3 held
    expect(m.isSpike(NaN, 10)).toBe(false);
    expect(() => m.isSpike(1, 0)).toThrow('RunningMedian.isSpike: factor must be a finite number > 0, got 0');
  });
});
