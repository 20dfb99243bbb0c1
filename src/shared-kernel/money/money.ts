import { err, ok, validationError, type Result } from '../errors/result.ts';

/**
 * An amount of money in integer euro cents. Floating-point euros are never stored: 0.1 + 0.2 !== 0.3, and
 * amounts here (consultation fees, the SAS "forfait", régulation fees) must add up to the cent.
 */
export type Money = { readonly cents: number; readonly currency: 'EUR' };

export const ZERO_EUR: Money = Object.freeze({ cents: 0, currency: 'EUR' });

const assertSafeCents = (cents: number, what: string): number => {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`${what}: result is not a safe integer number of cents (${cents})`);
  return cents;
};
const money = (cents: number): Money => ({ cents: cents === 0 ? 0 : cents, currency: 'EUR' }); // no -0

/** From an integer number of cents; refuses fractions, NaN, ±Infinity and integers beyond 2^53. */
export function moneyFromCents(cents: unknown): Result<Money> {
  if (typeof cents !== 'number' || !Number.isSafeInteger(cents)) {
    return err(validationError('InvalidMoneyAmount', 'An amount in cents must be a safe integer', { value: cents }));
  }
  return ok(money(cents));
}

/**
 * From euros written in decimal: '26.50', '26,50' (French comma), '26.5', 26.5, '-3'. At most two decimals:
 * more would mean a fraction of a cent, which we refuse rather than silently round. The conversion works on
 * the decimal digits, never multiplying a float by 100 (26.55 * 100 = 2654.9999…).
 */
export function euros(input: string | number): Result<Money> {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : input.trim();
  // String(number) gives the shortest round-tripping decimal (26.5 → '26.5'); exponent forms fail the regex.
  const m = /^(-)?(\d+)(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m) {
    return err(
      validationError('InvalidMoneyAmount', 'An amount in euros must be a decimal number with at most 2 decimals, e.g. 26.50', {
        value: input,
      }),
    );
  }
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) {
    return err(validationError('InvalidMoneyAmount', 'The amount in euros is too large', { value: input }));
  }
  return ok(money(m[1] ? -cents : cents));
}

export const addMoney = (a: Money, b: Money): Money => money(assertSafeCents(a.cents + b.cents, 'addMoney'));
export const subtractMoney = (a: Money, b: Money): Money => money(assertSafeCents(a.cents - b.cents, 'subtractMoney'));
export const sumMoney = (items: readonly Money[]): Money => items.reduce(addMoney, ZERO_EUR);

/** Price × quantity. Quantities are whole (acts, slots); a fractional one is a programming error. */
export function multiply(m: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`multiply: quantity must be an integer, got ${quantity}`);
  return money(assertSafeCents(m.cents * quantity, 'multiply'));
}

/**
 * `rate` percent of an amount (20 → 20 %, 5.5 → 5.5 %), rounded to the cent HALF TO EVEN (banker's
 * rounding): unbiased when many percentages are summed, and the rule of IEEE 754 and most accounting tools.
 * Computed exactly with BigInt on the rate scaled to 4 decimals (rates with more decimals are refused).
 */
export function percent(m: Money, rate: number): Money {
  const scaled = Math.round(rate * 10_000);
  if (!Number.isFinite(rate) || Math.abs(rate * 10_000 - scaled) > 1e-6 || !Number.isSafeInteger(scaled)) {
    throw new RangeError(`percent: rate must be a finite number with at most 4 decimals, got ${rate}`);
  }
  const cents = divRoundHalfEven(BigInt(m.cents) * BigInt(scaled), 1_000_000n); // /100 (percent) /10^4 (scale)
  return money(assertSafeCents(Number(cents), 'percent'));
}

/**
 * Splits an amount in proportion to non-negative integer `ratios`, losing no cent: each share is rounded
 * down, then the leftover cents go one by one to the largest remainders (ties: the earlier share). The
 * shares always sum back exactly to the amount. A negative amount is split like its absolute value.
 */
export function allocate(m: Money, ratios: readonly number[]): Money[] {
  if (ratios.length === 0 || ratios.some((r) => !Number.isSafeInteger(r) || r < 0)) {
    throw new RangeError('allocate: ratios must be a non-empty list of non-negative integers');
  }
  const total = ratios.reduce((s, r) => s + BigInt(r), 0n);
  if (total === 0n) throw new RangeError('allocate: ratios must not all be zero');
  const amount = BigInt(Math.abs(m.cents));
  const shares = ratios.map((r) => (amount * BigInt(r)) / total);
  const remainders = ratios.map((r, i) => ({ i, rem: (amount * BigInt(r)) % total }));
  let leftover = amount - shares.reduce((s, x) => s + x, 0n);
  remainders.sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of remainders) {
    if (leftover === 0n) break;
    shares[i] = (shares[i] ?? 0n) + 1n;
    leftover -= 1n;
  }
  const sign = m.cents < 0 ? -1 : 1;
  return shares.map((s) => money(sign * Number(s)));
}

const formatter = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/**
 * French display: '26,50 €', '1 234,50 €'. Intl uses a no-break space before € and a narrow no-break
 * space between thousands (French typography), so the text never wraps inside an amount.
 * The decimal string is formatted as is (Intl accepts numeric strings exactly), avoiding cents / 100.
 */
export function formatEuros(m: Money): string {
  const abs = Math.abs(m.cents);
  const decimal = `${m.cents < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return formatter.format(decimal as `${number}`);
}

export const equalsMoney = (a: Money, b: Money): boolean => a.cents === b.cents && a.currency === b.currency;

function divRoundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d; // truncates toward zero
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice < d || (twice === d && q % 2n === 0n)) return q;
  return n < 0n ? q - 1n : q + 1n;
}
