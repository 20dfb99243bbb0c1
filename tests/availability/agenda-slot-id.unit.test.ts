import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agendaSlotId } from '../../src/modules/availability/domain/agenda-slot-id.ts';
import { isUuid } from '../../src/shared-kernel/ids/uuid.ts';

describe('agendaSlotId', () => {
  it('is a version 5 UUID, the same for the same occurrence', () => {
    const id = agendaSlotId('10000000009', 'series-1/0/2026-12-07');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('5');
    expect(agendaSlotId('10000000009', 'series-1/0/2026-12-07')).toBe(id);
  });

  it('differs between occurrences and between effecteurs', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
        fc.pre(b !== c);
        expect(agendaSlotId(a, b)).not.toBe(agendaSlotId(a, c));
        expect(agendaSlotId(b, a)).not.toBe(agendaSlotId(c, a));
      }),
    );
  });
});
