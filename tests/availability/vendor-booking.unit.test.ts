/**
 * End-to-end booking, the pure parts: the booking mode a vendor slot carries (published with it, changed when the
 * vendor's capability changes, nothing new otherwise, old slots without it brought up to date), the vendor's booking
 * URL read from Slot.comment, and `origin` appended to it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fold } from '../../src/shared-kernel/decider/decider.ts';
import { slotDecider, type SlotEvent } from '../../src/modules/availability/domain/slot.decider.ts';
import { withOrigin } from '../../src/modules/availability/application/vendor-booking/vendor-booking.handler.ts';
import { bookingUrlOf } from '../../src/modules/availability/infrastructure/vendors/vendor-search.ts';
import { parseVendors } from '../../src/modules/availability/infrastructure/vendors/vendor-registry.ts';

const slotId = '0d6f1f7a-8a8b-5d43-9c5e-7f3f0b1c2d3e';
const start = new Date(Date.UTC(2026, 5, 1, 9));
const sync = (bookingMode?: 'end-to-end' | 'phone') =>
  ({ type: 'SyncVendorSlot', slotId, effecteurId: '10000000009', start, end: new Date(start.getTime() + 900_000), consultationTypes: ['cabinet'], ...(bookingMode ? { bookingMode } : {}) }) as const;

describe('slot decider: the booking mode of a vendor slot', () => {
  it('publishes it with the mode, says nothing for the same mode, and changes the slot when the mode changes', () => {
    const published = slotDecider.decide(sync('end-to-end'), slotDecider.initialState());
    expect(published).toEqual([{ type: 'SlotPublished', data: expect.objectContaining({ source: 'vendor', bookingMode: 'end-to-end' }) }]);
    const state = fold(slotDecider, published);
    expect(slotDecider.decide(sync('end-to-end'), state)).toEqual([]);
    const changed = slotDecider.decide(sync('phone'), state);
    expect(changed).toEqual([{ type: 'SlotChanged', data: expect.objectContaining({ bookingMode: 'phone', start: start.toISOString() }) }]);
    expect(slotDecider.decide(sync('phone'), fold(slotDecider, changed, state))).toEqual([]);
  });

  it('brings a slot published before the mode existed up to date with one SlotChanged', () => {
    const legacy = slotDecider.decide(sync(), slotDecider.initialState());
    expect(legacy[0]!.data).not.toHaveProperty('bookingMode');
    expect(slotDecider.decide(sync('end-to-end'), fold(slotDecider, legacy)).map((e) => e.type)).toEqual(['SlotChanged']);
  });

  it('never changes a booked slot for its mode', () => {
    const events: SlotEvent[] = [...slotDecider.decide(sync('end-to-end'), slotDecider.initialState())];
    events.push(...slotDecider.decide({ type: 'BookSlot', slotId, bookingId: 'b-1', orientationId: null, now: new Date(start.getTime() - 3_600_000) }, fold(slotDecider, events)));
    expect(slotDecider.decide(sync('phone'), fold(slotDecider, events))).toEqual([]);
  });
});

describe('the vendor’s booking URL (Slot.comment) and the origin the platform appends', () => {
  it('keeps an absolute http(s) URL without its fragment; refuses other schemes, credentials and non-URLs', () => {
    expect(bookingUrlOf(' https://agenda.example/8100?lieu=2#top ')).toBe('https://agenda.example/8100?lieu=2');
    for (const bad of ['javascript:alert(1)', 'ftp://agenda.example/x', 'https://user:pw@agenda.example/', '/agenda/8100', 'appelez le cabinet', '', 42, null]) {
      expect(bookingUrlOf(bad), String(bad)).toBeNull();
    }
    expect(bookingUrlOf(`https://agenda.example/${'x'.repeat(2_100)}`)).toBeNull();
  });

  it('appends origin with ? or &, replacing any origin the vendor wrote, and keeps the rest of the URL', () => {
    expect(withOrigin('https://agenda.example/agenda/810000000009', 'sas')).toBe('https://agenda.example/agenda/810000000009?origin=sas');
    expect(withOrigin('https://agenda.example/agenda?pro=8100', 'sas-production')).toBe('https://agenda.example/agenda?pro=8100&origin=sas-production');
    expect(withOrigin('https://agenda.example/agenda?origin=x&pro=1', 'sas')).toBe('https://agenda.example/agenda?pro=1&origin=sas');
    expect(withOrigin('https://agenda.example/agenda?', 'sas')).toBe('https://agenda.example/agenda?origin=sas');
    expect(withOrigin('https://agenda.example/agenda?q=a%20b#x', 'sas')).toBe('https://agenda.example/agenda?q=a%20b&origin=sas');
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constantFrom('sas', 'sas-integration'), (url, origin) => {
        const target = new URL(withOrigin(url, origin));
        expect(target.searchParams.getAll('origin')).toEqual([origin]);
        expect(target.origin).toBe(new URL(url).origin);
        expect(target.pathname).toBe(new URL(url).pathname);
      }),
    );
  });

  it('takes the origin from the vendor’s bookingOrigin: sas by default, sas-{environment} when set, anything else refused', () => {
    const vendor = { id: 'editeur-a', name: 'A', fhirBaseUrl: 'https://fhir.example/sas', capability: 'end-to-end' };
    expect(parseVendors({ vendors: [vendor] })[0]!.bookingOrigin).toBe('sas');
    expect(parseVendors({ vendors: [{ ...vendor, bookingOrigin: 'sas-production' }] })[0]!.bookingOrigin).toBe('sas-production');
    for (const bad of ['SAS', 'doctolib', 'sas-', 'sas production']) expect(() => parseVendors({ vendors: [{ ...vendor, bookingOrigin: bad }] }), bad).toThrow(/bookingOrigin/);
  });
});
