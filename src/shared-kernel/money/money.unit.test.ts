import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMoney,
  allocate,
  equalsMoney,
  euros,
  formatEuros,
  moneyFromCents,
  multiply,
  percent,
  subtractMoney,
  sumMoney,
  ZERO_EUR,
  type Money,
} from './money.ts';

const c = (cents: number): Money => ({ cents, currency: 'EUR' });
const eur = (input: string | number): Money => {
  const r = euros(input);
  if (!r.ok) throw r.error;
  return r.value;
};
/** Amounts small enough that sums of three never leave the safe-integer range. */
const amount = fc.integer({ min: -1e15, max: 1e15 }).map(c);
/** Normalises Intl's no-break spaces so expectations read naturally. */
const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');

describe('euros', () => {
  it.each([
    ['26.50', 2650],
    ['26,50', 2650],
    ['26.5', 2650],
    ['26', 2600],
    [' 0.05 ', 5],
    ['-3.10', -310],
    [26.55, 2655], // 26.55 * 100 === 2654.9999999999995 in floating point
    [0.29, 29],
    [1.005e2, 10050],
    [-0, 0],
  ])('%j → %i cents', (input, cents) => {
    expect(euros(input)).toEqual({ ok: true, value: c(cents) });
  });

  it.each([['26.505'], ['abc'], [''], ['1e3'], ['26.'], ['.5'], ['1 000'], [Number.NaN], [Number.POSITIVE_INFINITY], [0.1 + 0.2], ['99999999999999999']])(
    'refuses %j with InvalidMoneyAmount',
    (input) => {
      const r = euros(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('InvalidMoneyAmount');
    },
  );

  it('agrees with integer cents for every amount with 2 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const abs = Math.abs(cents);
        const text = `${cents < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
        expect(euros(text)).toEqual({ ok: true, value: c(cents) });
      }),
    );
  });
});

describe('moneyFromCents', () => {
  it('accepts safe integers only', () => {
    expect(moneyFromCents(2650)).toEqual({ ok: true, value: c(2650) });
    for (const bad of [26.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Number.NEGATIVE_INFINITY, '2650', null]) {
      const r = moneyFromCents(bad);
      expect(r.ok, String(bad)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('InvalidMoneyAmount');
    }
  });
});

describe('arithmetic', () => {
  it('adds, subtracts, sums and multiplies exactly', () => {
    expect(addMoney(eur('0.10'), eur('0.20'))).toEqual(eur('0.30'));
    expect(subtractMoney(eur('26.50'), eur('30'))).toEqual(c(-350));
    expect(sumMoney([eur('26.50'), eur('5'), eur('0.01')])).toEqual(c(3151));
    expect(sumMoney([])).toEqual(ZERO_EUR);
    expect(multiply(eur('26.50'), 3)).toEqual(c(7950));
    expect(multiply(eur('26.50'), 0)).toEqual(c(0));
    expect(() => multiply(eur('1'), 1.5)).toThrow(RangeError);
    expect(() => addMoney(c(Number.MAX_SAFE_INTEGER), c(1))).toThrow(RangeError);
    expect(() => multiply(c(Number.MAX_SAFE_INTEGER), 2)).toThrow(RangeError);
  });

  it('addition is commutative and associative with zero as identity', () => {
    fc.assert(
      fc.property(amount, amount, amount, (a, b, x) => {
        expect(addMoney(a, b)).toEqual(addMoney(b, a));
        expect(addMoney(addMoney(a, b), x)).toEqual(addMoney(a, addMoney(b, x)));
        expect(addMoney(a, ZERO_EUR)).toEqual(a);
        expect(subtractMoney(addMoney(a, b), b)).toEqual(a);
      }),
    );
  });

  it('multiplication distributes over addition', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }).map(c), fc.integer({ min: 1, max: 1000 }), (m, q) => {
        expect(multiply(m, q + 1)).toEqual(addMoney(multiply(m, q), m));
      }),
    );
  });
});

describe('percent (round half to even)', () => {
  it.each([
    [2650, 20, 530],
    [2650, 5.5, 146], // 145.75 → 146
    [250, 1, 2], // 2.5 → 2 (even)
    [350, 1, 4], // 3.5 → 4 (even)
    [-250, 1, -2],
    [-350, 1, -4],
    [1005, 10, 100], // 100.5 → 100
    [1015, 10, 102], // 101.5 → 102
    [1, 33.3333, 0],
    [2650, 0, 0],
    [2650, 100, 2650],
  ])('%i cents × %d %% = %i cents', (cents, rate, expected) => {
    expect(percent(c(cents), rate)).toEqual(c(expected));
  });

  it('refuses rates with more than 4 decimals or not finite', () => {
    expect(() => percent(c(100), 1.00001)).toThrow(RangeError);
    expect(() => percent(c(100), Number.NaN)).toThrow(RangeError);
  });

  it('is within half a cent of the exact value', () => {
    expect(percent(c(813_808_500), 9742.3)).toEqual(c(79_283_665_496)); // once a counterexample of a float oracle
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 1_000_000 }), (cents, rate100) => {
        // The exact value is cents × rate100 / 10,000: compared in integers (a float oracle itself errs by more
        // than 1e-6 cent once the product passes 2^43, e.g. 813,808,500 cents × 9,742.3 %).
        const result = BigInt(percent(c(cents), rate100 / 100).cents);
        const error = result * 10_000n - BigInt(cents) * BigInt(rate100);
        expect(error < 0n ? -error : error).toBeLessThanOrEqual(5_000n);
      }),
    );
  });
});

describe('allocate', () => {
  it('splits without losing a cent, the remainder to the earliest shares', () => {
    expect(allocate(eur('100'), [1, 1, 1]).map((m) => m.cents)).toEqual([3334, 3333, 3333]);
    expect(allocate(c(5), [3, 7]).map((m) => m.cents)).toEqual([2, 3]); // 1.5 / 3.5: equal remainders → first
    expect(allocate(c(10), [1, 2]).map((m) => m.cents)).toEqual([3, 7]); // 3.33 / 6.67: largest remainder
    expect(allocate(c(-100), [1, 1, 1]).map((m) => m.cents)).toEqual([-34, -33, -33]);
    expect(allocate(c(100), [0, 1]).map((m) => m.cents)).toEqual([0, 100]);
    expect(() => allocate(c(100), [])).toThrow(RangeError);
    expect(() => allocate(c(100), [0, 0])).toThrow(RangeError);
    expect(() => allocate(c(100), [1, -1])).toThrow(RangeError);
    expect(() => allocate(c(100), [0.5, 0.5])).toThrow(RangeError);
  });

  it('shares always sum back to the amount and stay within a cent of the exact proportion', () => {
    fc.assert(
      fc.property(amount, fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }), (m, ratios) => {
        fc.pre(ratios.some((r) => r > 0));
        const shares = allocate(m, ratios);
        expect(shares).toHaveLength(ratios.length);
        expect(equalsMoney(sumMoney(shares), m)).toBe(true);
        const total = ratios.reduce((s, r) => s + r, 0);
        shares.forEach((s, i) => expect(Math.abs(s.cents - (m.cents * (ratios[i] ?? 0)) / total)).toBeLessThan(1 + 1e-6));
      }),
    );
  });
});

describe('formatEuros', () => {
  it.each([
    [2650, '26,50 €'],
    [5, '0,05 €'],
    [0, '0,00 €'],
    [123450, '1 234,50 €'],
    [-310, '-3,10 €'],
    [Number.MAX_SAFE_INTEGER, '90 071 992 547 409,91 €'],
  ])('%i cents → %s', (cents, text) => {
    expect(plain(formatEuros(c(cents)))).toBe(text);
  });

  it('uses a no-break space before the euro sign', () => {
    expect(formatEuros(c(2650))).toBe('26,50\u00a0€');
  });
});
