import { describe, expect, it } from 'vitest';
import { fixedClock, ManualClock, systemClock, type Clock } from './clock.ts';

describe('clocks', () => {
  it('systemClock follows real time', () => {
    const before = Date.now();
    const now = systemClock().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('fixedClock always returns the same instant, as a fresh Date each time', () => {
    const clock = fixedClock('2026-03-29T01:30:00Z');
    const a = clock();
    a.setFullYear(2000); // mutating a returned Date must not move the clock
    expect(clock().toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(fixedClock(new Date(0))().getTime()).toBe(0);
  });

  it('refuses an invalid date', () => {
    expect(() => fixedClock('not a date')).toThrow(RangeError);
    expect(() => new ManualClock('2026-13-45')).toThrow(RangeError);
  });

  it('ManualClock moves only when told, and its now can be passed around as a Clock', () => {
    const manual = new ManualClock('2026-10-25T00:00:00Z');
    const clock: Clock = manual.now;
    expect(clock().toISOString()).toBe('2026-10-25T00:00:00.000Z');
    manual.advance(90 * 60_000).advance(30_000);
    expect(clock().toISOString()).toBe('2026-10-25T01:30:30.000Z');
    manual.set(new Date('2027-01-01T00:00:00Z'));
    expect(clock().toISOString()).toBe('2027-01-01T00:00:00.000Z');
    manual.advance(-1);
    expect(clock().toISOString()).toBe('2026-12-31T23:59:59.999Z');
    expect(() => manual.advance(Number.NaN)).toThrow(RangeError);
  });
});
