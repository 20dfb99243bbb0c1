/**
 * The source of "now". Domain and application code take a Clock instead of calling `new Date()` so that
 * time-dependent rules (slot expiry, opening hours, DST days) are testable deterministically.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock stopped at one instant. Throws on an unparsable date: it is only built in tests and fixtures. */
export function fixedClock(at: string | Date): Clock {
  const ms = toMs(at);
  return () => new Date(ms);
}

/**
 * A clock the test moves by hand. `now` is an arrow property, so `manual.now` can be passed wherever a
 * Clock is expected and still follow later `advance`/`set` calls.
 */
export class ManualClock {
  #ms: number;

  constructor(start: string | Date = '2026-01-01T00:00:00Z') {
    this.#ms = toMs(start);
  }

  readonly now: Clock = () => new Date(this.#ms);

  advance(ms: number): this {
    if (!Number.isFinite(ms)) throw new RangeError(`ManualClock.advance: not a finite duration: ${ms}`);
    this.#ms += ms;
    return this;
  }

  set(at: string | Date): this {
    this.#ms = toMs(at);
    return this;
  }
}

function toMs(at: string | Date): number {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`Invalid date for a clock: ${String(at)}`);
  return ms;
}
