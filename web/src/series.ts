// Chart series on an even time grid. lightweight-charts spaces points evenly whatever their
// times, so an hour of two-minute TWAP samples followed by six-second blocks would squeeze
// the hour into a few pixels; repeating values at the series' own finest spacing makes the
// horizontal axis proportional to time.

export interface Point {
  time: number;
  value: number;
}

/** Points beyond this are not filled in (the series is then drawn as it is). */
const MAX_POINTS = 20_000;

/**
 * Fills gaps wider than the series' smallest spacing with repeated values: `next` when a
 * point's value describes the interval before it (a TWAP mean since the previous sample),
 * `previous` when a value holds until the next point (a running total).
 */
export function evenTimeGrid (points: Point[], hold: 'next' | 'previous'): Point[] {
  if (points.length < 3) return points;
  let step = Infinity;
  for (let i = 1; i < points.length; i++) {
    const gap = points[i].time - points[i - 1].time;
    if (gap > 0 && gap < step) step = gap;
  }
  if (!Number.isFinite(step)) return points;
  const total = points.reduce((sum, point, i) => sum + (i === 0 ? 1 : Math.max(1, Math.floor((point.time - points[i - 1].time) / step))), 0);
  if (total > MAX_POINTS) return points;
  const out: Point[] = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const previous = points[i - 1];
    const value = hold === 'next' ? points[i].value : previous.value;
    for (let time = previous.time + step; time < points[i].time; time += step) out.push({ time, value });
    out.push(points[i]);
  }
  return out;
}
