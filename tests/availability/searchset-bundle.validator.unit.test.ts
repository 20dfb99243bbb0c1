/** The searchset Bundle validator on the guide's example answer and on precise breakages of it. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSearchsetBody, validateSearchsetBundle } from '../../src/modules/availability/infrastructure/fhir/searchset-bundle.validator.ts';

const EXAMPLE = readFileSync(resolve(import.meta.dirname, '../../data/reference/fhir-examples/searchset-individual-3-slots.json'), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const example = (): any => JSON.parse(EXAMPLE);
const rules = (input: unknown, options: Parameters<typeof validateSearchsetBundle>[1] = { flavour: 'ps' }) =>
  validateSearchsetBundle(input, options).problems.map((p) => p.rule);

describe('the guide’s example answer (PS individuel)', () => {
  it('is valid, with its three slots', () => {
    expect(validateSearchsetBody(EXAMPLE, { flavour: 'ps' })).toEqual({ valid: true, problems: [], slots: 3 });
  });

  it('is valid for the practitioner and the window it was asked for, and not for another practitioner or window', () => {
    const window = { from: new Date('2026-11-23T08:00:00+01:00'), to: new Date('2026-11-25T23:59:59+01:00') };
    expect(validateSearchsetBundle(example(), { flavour: 'ps', window, requested: ['810991003103'] }).valid).toBe(true);
    expect(rules(example(), { flavour: 'ps', requested: ['810000000001'] })).toEqual(['slot-not-requested', 'slot-not-requested', 'slot-not-requested']);
    expect(rules(example(), { flavour: 'ps', window: { from: window.from, to: new Date('2026-11-24T00:00:00+01:00') } })).toEqual(['slot-window', 'slot-window']);
  });

  it('is not a CPTS or SOS answer (other profiles, other graph)', () => {
    expect(rules(example(), { flavour: 'cpts' })).toContain('meta-profile');
    expect(rules(example(), { flavour: 'sos' })).toContain('entry-resource-type');
  });
});

describe('a broken answer', () => {
  const cases: [string, (b: any) => void, string, string][] = [
    ['not a Bundle', (b) => (b.resourceType = 'Parameters'), 'bundle-resource-type', 'resourceType'],
    ['not a searchset', (b) => (b.type = 'collection'), 'bundle-type', 'type'],
    ['without total', (b) => delete b.total, 'bundle-total', 'total'],
    ['with a wrong total', (b) => (b.total = 2), 'bundle-total', 'total'],
    ['without self link', (b) => delete b.link, 'bundle-self-link', 'link'],
    ['a Slot without its schedule', (b) => delete b.entry[0].resource.schedule, 'slot-schedule', 'entry[0].resource.schedule'],
    ['a Slot whose Schedule is not in the Bundle', (b) => (b.entry[1].resource.schedule.reference = 'Schedule/nope'), 'reference-unresolved', 'entry[1].resource.schedule.reference'],
    ['a Slot that is not free', (b) => (b.entry[2].resource.status = 'busy'), 'slot-status', 'entry[2].resource.status'],
    ['a Slot ending before it starts', (b) => (b.entry[0].resource.end = '2026-11-23T09:00:00+01:00'), 'slot-period', 'entry[0].resource.end'],
    ['a Slot start without time zone', (b) => (b.entry[0].resource.start = '2026-11-23T10:00:00'), 'slot-instant', 'entry[0].resource.start'],
    ['a Slot without booking URL', (b) => delete b.entry[0].resource.comment, 'slot-comment', 'entry[0].resource.comment'],
    ['a Slot with an unknown audience', (b) => (b.entry[0].resource.meta.security[0].code = 'CPTS'), 'slot-audience', 'entry[0].resource.meta.security[0]'],
    ['a Slot with an unknown consultation type', (b) => (b.entry[0].resource.serviceType[0].coding[0].code = 'EMER'), 'slot-service-type', 'entry[0].resource.serviceType[0]'],
    ['a Slot of WALKIN spelt wrong', (b) => (b.entry[2].resource.appointmentType.coding[0].code = 'WALK-IN'), 'slot-appointment-type', 'entry[2].resource.appointmentType'],
    ['a Slot without profile', (b) => delete b.entry[0].resource.meta.profile, 'meta-profile', 'entry[0].resource.meta.profile'],
    ['a Slot in include mode', (b) => (b.entry[0].search.mode = 'include'), 'entry-search-mode', 'entry[0].search.mode'],
    ['an entry without fullUrl', (b) => delete b.entry[3].fullUrl, 'entry-full-url', 'entry[3].fullUrl'],
    ['a Schedule without its Practitioner', (b) => (b.entry[3].resource.actor = [b.entry[3].resource.actor[0]]), 'schedule-actor', 'entry[3].resource.actor'],
    ['a PractitionerRole whose Location is not contained', (b) => (b.entry[4].resource.location[0].reference = '#loc-2'), 'role-location', 'entry[4].resource.location'],
    ['a Location without postal code', (b) => delete b.entry[4].resource.contained[0].address.postalCode, 'address', 'entry[4].resource.contained[0].address.postalCode'],
    ['a structure id of the wrong system', (b) => (b.entry[4].resource.organization.identifier.system = 'urn:oid:1.2.250.1.71.4.2.1'), 'idnst', 'entry[4].resource.organization.identifier.system'],
    ['a national phone number', (b) => (b.entry[4].resource.contained[0].telecom[0].value = '0536491037'), 'telecom-phone', 'entry[4].resource.contained[0].telecom[0].value'],
    ['a Practitioner id of the wrong system', (b) => (b.entry[5].resource.identifier[0].system = 'urn:oid:1.2.250.1.71.4.2.9'), 'practitioner-idnps', 'entry[5].resource.identifier'],
    ['a Practitioner id without prefix', (b) => (b.entry[5].resource.identifier[0].value = '10991003103'), 'practitioner-idnps', 'entry[5].resource.identifier[0].value'],
    ['a Practitioner without given name', (b) => delete b.entry[5].resource.name[0].given, 'practitioner-name', 'entry[5].resource.name'],
    ['a resource type foreign to the search', (b) => b.entry.push({ fullUrl: 'https://vendor.example/fhir/Patient/x', resource: { resourceType: 'Patient', id: 'x' }, search: { mode: 'include' } }), 'entry-resource-type', 'entry[6].resource.resourceType'],
  ];
  it.each(cases)('%s is reported precisely', (_name, breakIt, rule, path) => {
    const bundle = example();
    breakIt(bundle);
    const { valid, problems } = validateSearchsetBundle(bundle, { flavour: 'ps' });
    expect(valid).toBe(false);
    expect(problems).toContainEqual(expect.objectContaining({ rule, path }));
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
  });

  it('that is not JSON is one problem', () => {
    expect(validateSearchsetBody(EXAMPLE.slice(0, 200), { flavour: 'ps' }).problems).toEqual([expect.objectContaining({ rule: 'json', path: '$' })]);
  });

  it('never makes the validator throw, whatever the JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const result = validateSearchsetBundle(value, { flavour: 'ps' });
      expect(result.valid).toBe(false);
    }), { numRuns: 300 });
  });

  it('with any element of the example replaced by arbitrary JSON is reported or still valid, never a crash', () => {
    const paths: string[][] = [];
    const walk = (x: unknown, path: string[]) => {
      paths.push(path);
      if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, [...path, k]);
    };
    walk(example(), []);
    fc.assert(fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue(), (path, value) => {
      const bundle = example();
      let target = bundle;
      for (const k of path.slice(0, -1)) target = target[k];
      target[path.at(-1)!] = value;
      const result = validateSearchsetBundle(bundle, { flavour: 'ps' });
      expect(result.valid).toBe(result.problems.length === 0);
    }), { numRuns: 500, examples: [[['resourceType'], { toString: null }], [['entry', '0', 'resource', 'status'], { valueOf: 1, toString: [] }]] });
  });
});
