import { describe, expect, test } from 'vitest';

import { evenTimeGrid } from '../src/series.ts';

describe('evenTimeGrid', () => {
  test('a TWAP mean fills the interval it describes', () => {
    const points = [{ time: 0, value: 10 }, { time: 120, value: 11 }, { time: 126, value: 12 }, { time: 132, value: 12 }];
    const filled = evenTimeGrid(points, 'next');
    expect(filled.length).toBe(23);
    expect(filled.slice(0, 3)).toEqual([{ time: 0, value: 10 }, { time: 6, value: 11 }, { time: 12, value: 11 }]);
    expect(filled.filter((point) => point.time < 120).every((point, i) => i === 0 || point.value === 11)).toBe(true);
    expect(filled.slice(-2)).toEqual([{ time: 126, value: 12 }, { time: 132, value: 12 }]);
  });
  test('a running total holds until it changes', () => {
    const filled = evenTimeGrid([{ time: 0, value: -1 }, { time: 3, value: -1 }, { time: 9, value: -2 }], 'previous');
    expect(filled).toEqual([{ time: 0, value: -1 }, { time: 3, value: -1 }, { time: 6, value: -1 }, { time: 9, value: -2 }]);
  });
  test('short or huge series are left as they are', () => {
    expect(evenTimeGrid([{ time: 0, value: 1 }, { time: 100, value: 2 }], 'next')).toHaveLength(2);
    const sparse = [{ time: 0, value: 1 }, { time: 1, value: 1 }, { time: 1_000_000, value: 2 }];
    expect(evenTimeGrid(sparse, 'next')).toBe(sparse);
  });
});
