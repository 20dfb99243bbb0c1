/**
 * Pure parts of vendor aggregation: the vendor registry's validation, the circuit breaker's transitions, the slot
 * decider's SyncVendorSlot (publish, republish after a withdrawal, change, nothing new) and the vendor display
 * decider, the search window and the slots read out of the guide's example Bundle.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/shared-kernel/config/config.ts';
import { fold } from '../../src/shared-kernel/decider/decider.ts';
import { admit, closedCircuit, onFailure, onSuccess, type Circuit } from '../../src/modules/availability/domain/circuit-breaker.ts';
import { slotDecider, type SlotEvent } from '../../src/modules/availability/domain/slot.decider.ts';
import { vendorDisplayDecider } from '../../src/modules/availability/domain/vendor-display.decider.ts';
import { parseVendors } from '../../src/modules/availability/infrastructure/vendors/vendor-registry.ts';
import { practitionerSearchUrl, readSlots, searchWindow, shownBySas, sosSearchUrl } from '../../src/modules/availability/infrastructure/vendors/vendor-search.ts';

const vendor = { id: 'editeur-agenda', name: 'Éditeur', fhirBaseUrl: 'https://fhir.editeur.example/r4/', capability: 'aggregation' };

describe('vendor registry', () => {
  it('applies the defaults: practitioners from the directory, batches of 25, 7 s timeout, hide after the TTL', () => {
    const [v] = parseVendors({ vendors: [vendor] });
    expect(v).toMatchObject({ practitioners: 'directory', batchSize: 25, timeoutMs: 7_000, staleBehaviour: 'hide', fhirBaseUrl: 'https://fhir.editeur.example/r4', cpts: false, sosMedecins: [] });
  });

  it('refuses a bad file with one message per bad field, naming VENDORS_FILE', () => {
    const bad = () => parseVendors({ vendors: [{ ...vendor, batchSize: 26, capability: 'tout', practitioners: ['12345678901'], fhirBaseUrl: 'ftp://x' }, { ...vendor, extra: 1 }] });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems.every((p) => p.variable === 'VENDORS_FILE')).toBe(true);
      const text = problems.map((p) => p.message).join('\n');
      for (const field of ['vendors.0.batchSize', 'vendors.0.capability', 'vendors.0.practitioners.0', 'vendors.0.fhirBaseUrl', 'vendors.1']) expect(text).toContain(field);
    }
  });

  it('refuses two vendors with one id, and plain HTTP or no client certificate in production', () => {
    expect(() => parseVendors({ vendors: [vendor, vendor] })).toThrow(/en double/);
    expect(() => parseVendors({ vendors: [{ ...vendor, fhirBaseUrl: 'http://fhir.editeur.example' }] }, { production: true })).toThrow(/https.*production[\s\S]*certificat client/);
  });
});

describe('circuit breaker', () => {
  const settings = { threshold: 3, openMs: 1_000 };
  it('opens after the threshold of consecutive failures, skips polls while open, lets one trial through after the delay', () => {
    let c: Circuit = closedCircuit;
    c = onFailure(c, 0, settings);
    c = onFailure(c, 10, settings);
    expect(c.state).toBe('closed');
    c = onFailure(c, 20, settings);
    expect(c).toEqual({ state: 'open', consecutiveFailures: 3, openedAt: 20 });
    expect(admit(c, 500, settings).allowed).toBe(false);
    const trial = admit(c, 1_020, settings);
    expect(trial).toEqual({ allowed: true, circuit: { ...c, state: 'half-open' } });
    expect(onFailure(trial.circuit, 1_030, settings)).toMatchObject({ state: 'open', openedAt: 1_030 });
    expect(onSuccess(trial.circuit)).toEqual(closedCircuit);
  });

  it('never lets a poll out while open and within the delay, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2_000 })), { maxLength: 60 }), (steps) => {
        let c: Circuit = closedCircuit;
        let now = 0;
        for (const [ok, dt] of steps) {
          now += dt;
          const decision = admit(c, now, settings);
          if (c.state === 'open' && now - c.openedAt! < settings.openMs) expect(decision.allowed).toBe(false);
          if (!decision.allowed) continue;
          c = ok ? onSuccess(decision.circuit) : onFailure(decision.circuit, now, settings);
          expect(c.state === 'open').toBe(c.openedAt !== null);
        }
      }),
    );
  });
});

describe('slot decider: SyncVendorSlot', () => {
  const slotId = '0d6f1f7a-8a8b-5d43-9c5e-7f3f0b1c2d3e';
  const at = (h: number) => new Date(Date.UTC(2026, 5, 1, h));
  const sync = (start: Date, types: ('cabinet' | 'teleconsultation' | 'domicile')[] = ['cabinet']) =>
    ({ type: 'SyncVendorSlot', slotId, effecteurId: '10000000009', start, end: new Date(start.getTime() + 900_000), consultationTypes: types }) as const;

  it('publishes a new slot as a vendor slot, then says nothing for the same slot', () => {
    const events = slotDecider.decide(sync(at(9)), slotDecider.initialState());
    expect(events).toEqual([{ type: 'SlotPublished', data: { slotId, effecteurId: '10000000009', start: at(9).toISOString(), end: new Date(at(9).getTime() + 900_000).toISOString(), consultationTypes: ['cabinet'], source: 'vendor' } }]);
    expect(slotDecider.decide(sync(at(9)), fold(slotDecider, events))).toEqual([]);
  });

  it('changes a moved slot or one whose consultation types changed (in any order), publishes again after a withdrawal, leaves a booked one', () => {
    const published = fold(slotDecider, slotDecider.decide(sync(at(9)), slotDecider.initialState()));
    expect(slotDecider.decide(sync(at(10)), published).map((e) => e.type)).toEqual(['SlotChanged']);
    const two = fold(slotDecider, slotDecider.decide(sync(at(9), ['teleconsultation', 'cabinet']), published), published);
    expect(slotDecider.decide(sync(at(9), ['cabinet', 'teleconsultation']), two)).toEqual([]);
    const withdrawn = fold(slotDecider, slotDecider.decide({ type: 'WithdrawSlot', slotId, reason: 'vendor-withdrawn', now: at(1) }, published), published);
    expect(slotDecider.decide(sync(at(9)), withdrawn).map((e) => e.type)).toEqual(['SlotPublished']);
    const booked = fold(slotDecider, slotDecider.decide({ type: 'BookSlot', slotId, bookingId: 'b-1', orientationId: null, now: at(1) }, published), published);
    expect(slotDecider.decide(sync(at(10)), booked)).toEqual([]);
  });

  it('folds a SlotChanged into the booking state: a moved vendor slot is booked at its new time', () => {
    const events: SlotEvent[] = [...slotDecider.decide(sync(at(9)), slotDecider.initialState())];
    events.push(...slotDecider.decide(sync(at(11)), fold(slotDecider, events)));
    const state = fold(slotDecider, events);
    expect(state).toMatchObject({ status: 'published', start: at(11).toISOString() });
  });
});

describe('vendor display decider', () => {
  it('refuses and accepts once each; saying the same twice changes nothing', () => {
    const refuse = { type: 'SetVendorSlotDisplay', effecteurId: '10000000009', displayed: false } as const;
    const accept = { ...refuse, displayed: true } as const;
    expect(vendorDisplayDecider.decide(accept, vendorDisplayDecider.initialState())).toEqual([]);
    const refused = vendorDisplayDecider.decide(refuse, vendorDisplayDecider.initialState());
    expect(refused).toEqual([{ type: 'VendorSlotDisplayRefused', data: { effecteurId: '10000000009' } }]);
    const state = fold(vendorDisplayDecider, refused);
    expect(vendorDisplayDecider.decide(refuse, state)).toEqual([]);
    expect(vendorDisplayDecider.decide(accept, state)).toEqual([{ type: 'VendorSlotDisplayAccepted', data: { effecteurId: '10000000009' } }]);
  });
});

describe('the guide’s searches', () => {
  it('asks from now to the end of D+2 in Paris time, across the DST change', () => {
    const w = searchWindow(new Date('2026-03-28T10:00:00Z')); // Saturday before the last Sunday of March
    expect(w.to.toISOString()).toBe('2026-03-30T21:59:59.000Z'); // Monday 23:59:59 CEST
  });

  it('builds the individual, CPTS and SOS requests with prefixed identifiers', () => {
    const w = { from: new Date('2026-06-01T08:00:00Z'), to: new Date('2026-06-03T21:59:59Z') };
    const ps = new URL(practitionerSearchUrl('https://v.example/fhir', ['10000000009', '19000000006'], w, false));
    expect(ps.pathname).toBe('/fhir/Slot');
    expect(ps.searchParams.get('schedule.actor:Practitioner.identifier')).toBe('urn:oid:1.2.250.1.71.4.2.1|810000000009,urn:oid:1.2.250.1.71.4.2.1|819000000006');
    expect(ps.searchParams.getAll('start')).toEqual(['ge2026-06-01T08:00:00.000+00:00', 'le2026-06-03T21:59:59.000+00:00']);
    expect(ps.searchParams.getAll('_include')).toEqual(['Slot:schedule']);
    const cpts = new URL(practitionerSearchUrl('https://v.example/fhir', ['10000000009'], w, true));
    expect(cpts.searchParams.getAll('_include')).toEqual(['Slot:schedule', 'Slot:service-type-reference']);
    expect(cpts.searchParams.getAll('_include:iterate')).toEqual(['Schedule:actor', 'HealthcareService:organization']);
    const sos = new URL(sosSearchUrl('https://v.example/fhir', ['12345678901234'], w));
    expect(sos.searchParams.get('actor:Location.organization.identifier')).toBe('urn:oid:1.2.250.1.71.4.2.2|312345678901234');
  });

  it('reads the slots of the guide’s example Bundle with their RPPS, consultation types and audiences', () => {
    const bundle = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../data/reference/fhir-examples/searchset-individual-3-slots.json'), 'utf8'));
    const slots = readSlots(bundle, 'ps');
    expect(slots.length).toBe(3);
    for (const s of slots) {
      expect(s.effecteurId).toMatch(/^\d{11}$/);
      expect(s.consultationTypes.length).toBeGreaterThan(0);
      expect(s.end.getTime()).toBeGreaterThan(s.start.getTime());
    }
    expect(shownBySas([{ ...slots[0]!, audiences: ['PRO'] }, { ...slots[0]!, audiences: ['CPTS'] }, { ...slots[0]!, audiences: ['SNP'] }]).map((s) => s.audiences)).toEqual([['SNP']]);
  });
});
