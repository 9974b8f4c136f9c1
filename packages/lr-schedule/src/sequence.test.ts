import {constantSchedule} from './constant_schedule';
import {sequence} from './sequence';

describe('sequence', () => {
  it('restarts each schedule at its boundary (SequentialLR / join_schedules)', () => {
    const s = sequence([(i) => i, (i) => 100 + i, constantSchedule(7)], [3, 5]);
    expect([0, 1, 2, 3, 4, 5, 9].map(s)).toEqual([0, 1, 2, 100, 101, 7, 7]);
  });
});
