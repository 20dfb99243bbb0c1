/**
 * Checks a vendor's answer to one of the guide's slot searches (INT_R01 PS individuel, INT_R04 CPTS, SOS Médecins)
 * against the SAS profiles: resource types, required elements, identifier systems, fixed codes, references that
 * resolve inside the Bundle, statuses, the search window. Answers every problem found, each with the JSON path
 * of the offending element, a stable rule name and a French message for the report; an empty list means the
 * Bundle may be applied. It never throws, whatever the input.
 *
 * Deliberate readings of the guide (shared/reference/sas-interfaces.md §1.2):
 * - `total` is the number of Slot entries (kit check); with a `next` link (paging) it may be larger.
 * - one `self` link is required; `next`/`previous` links are allowed for paging (the CPTS/SOS profiles write
 *   `link 1..1`, which only a single-page answer meets).
 * - SOS answers search Schedules (they are the matches); their Slots come as includes — either mode is accepted.
 */
import {
  AUDIENCES_BY_FLAVOUR,
  CONSULTATION_CODES,
  CPTS_CATEGORY,
  FHIR_INSTANT,
  IDNPS_SYSTEM,
  IDNST_SYSTEM,
  LOCATION_IDENTIFIER_TYPE,
  PROFILES,
  SLOT_SERVICE_TYPE_EXTENSION,
  TRE_R314_TYPE_CRENEAU,
  TRE_R38_SPECIALITE,
  TRE_R66_CATEGORIE_ETABLISSEMENT,
  V2_0203,
  V2_0276,
  V3_ACT_CODE,
  type SearchFlavour,
} from './sas-fhir.ts';

export interface BundleProblem {
  /** JSON path of the offending element, e.g. `entry[3].resource.schedule.reference`. */
  readonly path: string;
  /** Stable name of the rule broken, for counting and tests. */
  readonly rule: string;
  readonly message: string;
}

export interface BundleValidationOptions {
  readonly flavour: SearchFlavour;
  /** The search window asked for: every Slot must start inside it. */
  readonly window?: { readonly from: Date; readonly to: Date };
  /**
   * The identifiers asked for (IDNPS values for PS/CPTS, IDNST values for SOS): every Slot must belong to one
   * of them.
   */
  readonly requested?: readonly string[];
}

export interface BundleValidation {
  readonly valid: boolean;
  readonly problems: readonly BundleProblem[];
  /** Number of Slot entries (0 when the input is not a Bundle). */
  readonly slots: number;
}

type Json = Record<string, unknown>;

const RESOURCE_TYPES: Record<SearchFlavour, readonly string[]> = {
  ps: ['Slot', 'Schedule', 'Practitioner', 'PractitionerRole'],
  cpts: ['Slot', 'Schedule', 'Practitioner', 'PractitionerRole', 'HealthcareService', 'Organization'],
  sos: ['Slot', 'Schedule', 'Location', 'Organization'],
};
const DAYS_OF_WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const PHONE = /^\+(33|262|590|596|594)\d{9}$/;

/** Parses the body text first: a body that is not JSON is one problem, not an exception. */
export function validateSearchsetBody(body: string, options: BundleValidationOptions): BundleValidation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { valid: false, problems: [{ path: '$', rule: 'json', message: 'La réponse n’est pas du JSON valide.' }], slots: 0 };
  }
  return validateSearchsetBundle(parsed, options);
}

export function validateSearchsetBundle(input: unknown, options: BundleValidationOptions): BundleValidation {
  const v = new Validator(options);
  v.bundle(input);
  return { valid: v.problems.length === 0, problems: v.problems, slots: v.slotCount };
}

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNonBlank = (x: unknown): x is string => typeof x === 'string' && x.trim().length > 0;
/** A vendor's value as text for a message or a comparison, whatever JSON it is (an object may even carry a `toString` that is not a function). */
const shown = (x: unknown): string => {
  if (typeof x === 'string') return x;
  if (x === null || typeof x !== 'object') return String(x);
  const json = JSON.stringify(x);
  return json.length > 80 ? `${json.slice(0, 77)}…` : json;
};
const arrayOf = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const codings = (concept: unknown): Json[] => (isObject(concept) ? arrayOf(concept.coding).filter(isObject) : []);
const hasCode = (concept: unknown, system: string, code?: string): boolean =>
  codings(concept).some((c) => c.system === system && (code === undefined || c.code === code));

class Validator {
  readonly problems: BundleProblem[] = [];
  slotCount = 0;
  readonly #flavour: SearchFlavour;
  readonly #options: BundleValidationOptions;
  /** `Type/id` and fullUrl → entry index. */
  readonly #index = new Map<string, number>();
  #entries: { path: string; resource: Json; type: string }[] = [];

  constructor(options: BundleValidationOptions) {
    this.#flavour = options.flavour;
    this.#options = options;
  }

  problem(path: string, rule: string, message: string): void {
    this.problems.push({ path, rule, message });
  }

  bundle(input: unknown): void {
    if (!isObject(input)) return this.problem('$', 'bundle-object', 'La réponse n’est pas un objet JSON.');
    if (input.resourceType !== 'Bundle') {
      return this.problem('resourceType', 'bundle-resource-type', `resourceType attendu « Bundle », reçu « ${shown(input.resourceType)} ».`);
    }
    if (input.type !== 'searchset') this.problem('type', 'bundle-type', `Bundle.type doit valoir « searchset » (reçu « ${shown(input.type)} »).`);
    this.profile('meta', input, PROFILES[this.#flavour].Bundle);
    const links = arrayOf(input.link).filter(isObject);
    const self = links.filter((l) => l.relation === 'self');
    if (self.length !== 1 || !isNonBlank(self[0]!.url)) this.problem('link', 'bundle-self-link', 'Le Bundle doit porter exactement un lien « self » avec son URL.');
    for (const [i, l] of links.entries()) {
      if (!['self', 'next', 'previous'].includes(shown(l.relation))) this.problem(`link[${i}]`, 'bundle-link-relation', `Relation de lien inattendue « ${shown(l.relation)} ».`);
    }
    const paged = links.some((l) => l.relation === 'next' || l.relation === 'previous');
    if (input.entry !== undefined && !Array.isArray(input.entry)) return this.problem('entry', 'bundle-entry-array', 'Bundle.entry doit être une liste.');
    const entries = arrayOf(input.entry);
    if (Array.isArray(input.entry) && entries.length === 0) this.problem('entry', 'no-empty-elements', 'Bundle.entry vide : un élément vide ne doit pas être transmis.');
    this.index(entries);
    this.slotCount = this.#entries.filter((e) => e.type === 'Slot').length;
    if (typeof input.total !== 'number' || !Number.isInteger(input.total) || input.total < 0) {
      this.problem('total', 'bundle-total', 'Bundle.total est obligatoire (nombre de créneaux).');
    } else if (paged ? input.total < this.slotCount : input.total !== this.slotCount) {
      this.problem('total', 'bundle-total', `Bundle.total (${input.total}) ne correspond pas au nombre de créneaux transmis (${this.slotCount}).`);
    }
    for (const e of this.#entries) this.resource(e.path, e.resource, e.type);
  }

  index(entries: unknown[]): void {
    const allowed = RESOURCE_TYPES[this.#flavour];
    for (const [i, entry] of entries.entries()) {
      const path = `entry[${i}]`;
      if (!isObject(entry)) {
        this.problem(path, 'entry-object', 'Chaque entrée doit être un objet.');
        continue;
      }
      const resource = entry.resource;
      if (!isObject(resource) || typeof resource.resourceType !== 'string') {
        this.problem(`${path}.resource`, 'entry-resource', 'L’entrée ne porte pas de ressource.');
        continue;
      }
      const type = resource.resourceType;
      if (!allowed.includes(type)) {
        this.problem(`${path}.resource.resourceType`, 'entry-resource-type', `Ressource ${type} inattendue dans cette recherche (attendues : ${allowed.join(', ')}).`);
        continue;
      }
      if (!isNonBlank(resource.id)) this.problem(`${path}.resource.id`, 'resource-id', `${type} sans id.`);
      const key = `${type}/${shown(resource.id)}`;
      if (!isNonBlank(entry.fullUrl)) {
        this.problem(`${path}.fullUrl`, 'entry-full-url', `${key} : fullUrl obligatoire.`);
      } else {
        if (!/^https?:\/\//.test(entry.fullUrl) || !entry.fullUrl.endsWith(`/${key}`)) {
          this.problem(`${path}.fullUrl`, 'entry-full-url', `${key} : fullUrl « ${entry.fullUrl} » doit être une URL absolue finissant par /${key}.`);
        }
        if (this.#index.has(entry.fullUrl)) this.problem(`${path}.fullUrl`, 'entry-unique', `fullUrl en double : ${entry.fullUrl}.`);
        this.#index.set(entry.fullUrl, this.#entries.length);
      }
      if (this.#index.has(key) && isNonBlank(resource.id)) this.problem(`${path}.resource.id`, 'entry-unique', `${key} apparaît deux fois.`);
      this.#index.set(key, this.#entries.length);
      const mode = isObject(entry.search) ? entry.search.mode : undefined;
      const expected = this.expectedModes(type);
      if (!expected.includes(shown(mode))) this.problem(`${path}.search.mode`, 'entry-search-mode', `${key} : search.mode doit valoir ${expected.join(' ou ')} (reçu « ${shown(mode)} »).`);
      this.#entries.push({ path: `${path}.resource`, resource, type });
    }
  }

  expectedModes(type: string): string[] {
    if (this.#flavour === 'sos') return type === 'Slot' || type === 'Schedule' ? ['match', 'include'] : ['include'];
    return type === 'Slot' ? ['match'] : ['include'];
  }

  /** The resource a reference points at, if it is in the Bundle and of the expected type. */
  resolve(path: string, ref: unknown, types: readonly string[], what: string): Json | undefined {
    const reference = isObject(ref) ? ref.reference : undefined;
    if (!isNonBlank(reference)) {
      this.problem(path, 'reference-missing', `${what} : référence absente.`);
      return undefined;
    }
    const i = this.#index.get(reference);
    const target = i === undefined ? undefined : this.#entries[i];
    if (!target) {
      this.problem(`${path}.reference`, 'reference-unresolved', `${what} : « ${reference} » ne désigne aucune ressource du Bundle.`);
      return undefined;
    }
    if (!types.includes(target.type)) {
      this.problem(`${path}.reference`, 'reference-type', `${what} : « ${reference} » désigne un ${target.type}, attendu ${types.join(' ou ')}.`);
      return undefined;
    }
    return target.resource;
  }

  profile(path: string, resource: Json, expected: string): void {
    const meta = resource.meta;
    const profiles = isObject(meta) ? arrayOf(meta.profile) : [];
    if (!profiles.includes(expected)) this.problem(`${path}.profile`, 'meta-profile', `${shown(resource.resourceType)} : meta.profile doit contenir ${expected}.`);
  }

  resource(path: string, r: Json, type: string): void {
    const profiles = PROFILES[this.#flavour] as Record<string, string>;
    this.profile(`${path}.meta`, r, profiles[type]!);
    const label = `${type}/${shown(r.id)}`;
    switch (type) {
      case 'Slot':
        return this.slot(path, r, label);
      case 'Schedule':
        return this.schedule(path, r, label);
      case 'Practitioner':
        return this.practitioner(path, r, label);
      case 'PractitionerRole':
        return this.practitionerRole(path, r, label);
      case 'HealthcareService':
        this.resolve(`${path}.providedBy`, r.providedBy, ['Organization'], `${label}.providedBy`);
        return;
      case 'Organization':
        return this.organization(path, r, label);
      case 'Location':
        return this.sosLocation(path, r, label);
    }
  }

  slot(path: string, r: Json, label: string): void {
    if (r.status !== 'free') this.problem(`${path}.status`, 'slot-status', `${label} : status doit valoir « free » (reçu « ${shown(r.status)} »).`);
    const schedule = r.schedule === undefined
      ? (this.problem(`${path}.schedule`, 'slot-schedule', `${label} : Slot.schedule est obligatoire.`), undefined)
      : this.resolve(`${path}.schedule`, r.schedule, ['Schedule'], `${label}.schedule`);
    const start = this.instant(`${path}.start`, r.start, label, 'start');
    const end = this.instant(`${path}.end`, r.end, label, 'end');
    if (start && end && start >= end) this.problem(`${path}.end`, 'slot-period', `${label} : end doit suivre start.`);
    const window = this.#options.window;
    if (start && window && (start < window.from || start > window.to)) {
      this.problem(`${path}.start`, 'slot-window', `${label} : début ${shown(r.start)} hors de la fenêtre demandée.`);
    }
    if (!isNonBlank(r.comment) || !/^https?:\/\/\S+$/.test(r.comment.trim())) {
      this.problem(`${path}.comment`, 'slot-comment', `${label} : comment doit porter l’URL de prise de rendez-vous.`);
    }
    // Audience (TRE_R314), combinable.
    const security = isObject(r.meta) ? arrayOf(r.meta.security).filter(isObject) : [];
    const allowed = AUDIENCES_BY_FLAVOUR[this.#flavour];
    if (security.length === 0) this.problem(`${path}.meta.security`, 'slot-audience', `${label} : meta.security (type de créneau TRE_R314) est obligatoire.`);
    for (const [i, s] of security.entries()) {
      if (s.system !== TRE_R314_TYPE_CRENEAU || !allowed.includes(shown(s.code) as never)) {
        this.problem(`${path}.meta.security[${i}]`, 'slot-audience', `${label} : type de créneau ${shown(s.system)}#${shown(s.code)} hors de TRE_R314 ${allowed.join('/')}.`);
      }
    }
    // Consultation types (v3-ActCode), reasons as text, CPTS references.
    const serviceTypes = arrayOf(r.serviceType);
    let consultationTypes = 0;
    for (const [i, st] of serviceTypes.entries()) {
      const p = `${path}.serviceType[${i}]`;
      if (!isObject(st)) {
        this.problem(p, 'slot-service-type', `${label} : serviceType invalide.`);
        continue;
      }
      const cs = codings(st);
      if (cs.length === 0) {
        if (!isNonBlank(st.text)) this.problem(p, 'no-empty-elements', `${label} : serviceType sans code ni texte.`);
        continue;
      }
      if (cs.every((c) => c.system === V3_ACT_CODE)) {
        for (const c of cs) if (!(shown(c.code) in CONSULTATION_CODES)) this.problem(p, 'slot-service-type', `${label} : type de consultation ${shown(c.code)} inconnu (AMB, VR ou HH).`);
        if (arrayOf(st.extension).length > 0) this.problem(`${p}.extension`, 'slot-service-type', `${label} : un type de consultation ne porte pas d’extension.`);
        consultationTypes++;
      } else if (this.#flavour === 'cpts' && hasCode(st, TRE_R66_CATEGORIE_ETABLISSEMENT, CPTS_CATEGORY)) {
        const ext = arrayOf(st.extension).filter(isObject).filter((e) => e.url === SLOT_SERVICE_TYPE_EXTENSION);
        if (ext.length !== 1) this.problem(`${p}.extension`, 'slot-cpts-reference', `${label} : l’entrée CPTS doit porter une extension ${SLOT_SERVICE_TYPE_EXTENSION}.`);
        else this.resolve(`${p}.extension[0].valueReference`, ext[0]!.valueReference, ['HealthcareService'], `${label} CPTS`);
      } else {
        this.problem(p, 'slot-service-type', `${label} : serviceType codé hors v3-ActCode${this.#flavour === 'cpts' ? ' et TRE_R66 604' : ''}.`);
      }
    }
    if (consultationTypes === 0) this.problem(`${path}.serviceType`, 'slot-consultation-type', `${label} : au moins un type de consultation (AMB, VR, HH) est attendu.`);
    for (const [i, sp] of arrayOf(r.specialty).entries()) {
      const cs = codings(sp);
      if (cs.length === 0 ? !(isObject(sp) && isNonBlank(sp.text)) : cs.some((c) => c.system !== TRE_R38_SPECIALITE || !isNonBlank(c.code))) {
        this.problem(`${path}.specialty[${i}]`, 'slot-specialty', `${label} : spécialité codée TRE_R38 ou texte libre attendue.`);
      }
    }
    // appointmentType is 0..1 in FHIR R4; the IG's FSH writes appointmentType[+], so a list is read too.
    for (const at of Array.isArray(r.appointmentType) ? r.appointmentType : r.appointmentType === undefined ? [] : [r.appointmentType]) {
      const cs = codings(at);
      if (cs.length === 0 || cs.some((c) => c.system !== V2_0276 || !['ROUTINE', 'WALKIN'].includes(shown(c.code)))) {
        this.problem(`${path}.appointmentType`, 'slot-appointment-type', `${label} : appointmentType v2-0276 ROUTINE ou WALKIN attendu.`);
      }
    }
    if (schedule) this.slotOwner(path, schedule, label);
  }

  /** The slot belongs to one of the practitioners (or SOS associations) asked for. */
  slotOwner(path: string, schedule: Json, label: string): void {
    const requested = this.#options.requested;
    if (!requested) return;
    const owners = new Set<string>();
    for (const actor of arrayOf(schedule.actor).filter(isObject)) {
      const i = isNonBlank(actor.reference) ? this.#index.get(actor.reference) : undefined;
      const target = i === undefined ? undefined : this.#entries[i];
      if (target?.type === 'Practitioner') for (const id of arrayOf(target.resource.identifier).filter(isObject)) owners.add(shown(id.value));
      if (target?.type === 'Location' && isObject(target.resource.managingOrganization)) {
        const org = this.#index.get(shown(target.resource.managingOrganization.reference));
        if (org !== undefined) for (const id of arrayOf(this.#entries[org]!.resource.identifier).filter(isObject)) owners.add(shown(id.value));
      }
    }
    if (owners.size > 0 && !requested.some((id) => owners.has(id))) {
      this.problem(`${path}.schedule`, 'slot-not-requested', `${label} : créneau d’un ${this.#flavour === 'sos' ? 'lieu' : 'professionnel'} non demandé (${[...owners].join(', ')}).`);
    }
  }

  instant(path: string, value: unknown, label: string, name: string): Date | undefined {
    if (typeof value !== 'string' || !FHIR_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
      this.problem(path, 'slot-instant', `${label} : ${name} doit être une date-heure avec fuseau (YYYY-MM-DDThh:mm:ss±hh:mm).`);
      return undefined;
    }
    return new Date(value);
  }

  schedule(path: string, r: Json, label: string): void {
    const actors = arrayOf(r.actor);
    if (actors.length === 0) return this.problem(`${path}.actor`, 'schedule-actor', `${label} : Schedule.actor est obligatoire.`);
    const found = new Set<string>();
    for (const [i, actor] of actors.entries()) {
      const expected = this.#flavour === 'sos' ? ['Location'] : ['Practitioner', 'PractitionerRole'];
      const target = this.resolve(`${path}.actor[${i}]`, actor, expected, `${label}.actor`);
      if (target) found.add(shown(target.resourceType));
    }
    const needed = this.#flavour === 'sos' ? ['Location'] : ['Practitioner', 'PractitionerRole'];
    for (const type of needed) {
      if (!found.has(type) && !this.problems.some((p) => p.path.startsWith(`${path}.actor`))) {
        this.problem(`${path}.actor`, 'schedule-actor', `${label} : un acteur ${type} est attendu.`);
      }
    }
  }

  practitioner(path: string, r: Json, label: string): void {
    const ids = arrayOf(r.identifier).filter(isObject);
    const idnps = ids.filter((id) => id.system === IDNPS_SYSTEM);
    if (idnps.length === 0) this.problem(`${path}.identifier`, 'practitioner-idnps', `${label} : identifiant IDNPS (${IDNPS_SYSTEM}) obligatoire.`);
    for (const [i, id] of ids.entries()) {
      if (id.system !== IDNPS_SYSTEM) continue;
      if (!hasCode(id.type, V2_0203, 'IDNPS')) this.problem(`${path}.identifier[${i}].type`, 'practitioner-idnps', `${label} : type d’identifiant IDNPS (${V2_0203}) attendu.`);
      if (typeof id.value !== 'string' || !/^(8\d{11}|0\d{9})$/.test(id.value)) {
        this.problem(`${path}.identifier[${i}].value`, 'practitioner-idnps', `${label} : IDNPS « ${shown(id.value)} » invalide (8 + RPPS ou 0 + ADELI, identifiant préfixé).`);
      }
    }
    const name = arrayOf(r.name).filter(isObject)[0];
    if (!name || !isNonBlank(name.family) || !arrayOf(name.given).some(isNonBlank)) this.problem(`${path}.name`, 'practitioner-name', `${label} : name.family et name.given sont obligatoires.`);
  }

  practitionerRole(path: string, r: Json, label: string): void {
    const contained = arrayOf(r.contained).filter(isObject);
    const locations = contained.filter((c) => c.resourceType === 'Location');
    if (locations.length !== 1) {
      this.problem(`${path}.contained`, 'role-location', `${label} : exactement une Location contenue est attendue (${locations.length}).`);
    } else {
      const loc = locations[0]!;
      this.profile(`${path}.contained[${contained.indexOf(loc)}].meta`, loc, PROFILES.ps.Location);
      this.address(`${path}.contained[${contained.indexOf(loc)}].address`, loc.address, label);
      const refs = arrayOf(r.location).filter(isObject);
      if (refs.length !== 1 || refs[0]!.reference !== `#${shown(loc.id)}`) {
        this.problem(`${path}.location`, 'role-location', `${label} : location doit désigner la Location contenue (#${shown(loc.id)}).`);
      }
      this.telecoms(`${path}.contained[${contained.indexOf(loc)}].telecom`, loc.telecom, label);
    }
    this.resolve(`${path}.practitioner`, r.practitioner, ['Practitioner'], `${label}.practitioner`);
    const org = isObject(r.organization) ? r.organization.identifier : undefined;
    this.idnst(`${path}.organization.identifier`, org, label, /^[134]\d+$/, '1 + FINESS, 3 + SIRET ou 4 + RPPS rang');
    this.telecoms(`${path}.telecom`, r.telecom, label);
  }

  organization(path: string, r: Json, label: string): void {
    const ids = arrayOf(r.identifier).filter(isObject);
    if (this.#flavour === 'cpts') this.idnst(`${path}.identifier[0]`, ids[0], label, /^1\d{9}$/, '1 + FINESS');
    else this.idnst(`${path}.identifier[0]`, ids[0], label, /^3\d{14}$/, '3 + SIRET');
    if (!isNonBlank(r.name)) this.problem(`${path}.name`, 'organization-name', `${label} : name obligatoire.`);
    this.telecoms(`${path}.telecom`, r.telecom, label);
  }

  sosLocation(path: string, r: Json, label: string): void {
    const id = arrayOf(r.identifier).filter(isObject)[0];
    if (!id || !isNonBlank(id.system) || !isNonBlank(id.value)) this.problem(`${path}.identifier`, 'location-identifier', `${label} : identifier (system et value) obligatoire.`);
    else if (id.system === IDNST_SYSTEM) this.idnst(`${path}.identifier[0]`, id, label, /^[134]\d+$/, 'IDNST');
    if (!isNonBlank(r.name)) this.problem(`${path}.name`, 'location-name', `${label} : name obligatoire.`);
    this.address(`${path}.address`, r.address, label);
    this.resolve(`${path}.managingOrganization`, r.managingOrganization, ['Organization'], `${label}.managingOrganization`);
    this.telecoms(`${path}.telecom`, r.telecom, label);
    for (const [i, h] of arrayOf(r.hoursOfOperation).entries()) {
      const days = isObject(h) ? arrayOf(h.daysOfWeek) : [];
      if (days.length === 0 || days.some((d) => !DAYS_OF_WEEK.includes(shown(d)))) this.problem(`${path}.hoursOfOperation[${i}]`, 'location-hours', `${label} : daysOfWeek attendus parmi ${DAYS_OF_WEEK.join(', ')}.`);
    }
  }

  idnst(path: string, id: unknown, label: string, value: RegExp, expected: string): void {
    if (!isObject(id)) return this.problem(path, 'idnst', `${label} : identifiant IDNST obligatoire.`);
    if (id.system !== IDNST_SYSTEM) this.problem(`${path}.system`, 'idnst', `${label} : système ${IDNST_SYSTEM} attendu (reçu « ${shown(id.system)} »).`);
    if (id.type !== undefined && !hasCode(id.type, V2_0203, 'IDNST') && !hasCode(id.type, LOCATION_IDENTIFIER_TYPE, 'IDNST')) {
      this.problem(`${path}.type`, 'idnst', `${label} : type d’identifiant IDNST attendu.`);
    }
    if (typeof id.value !== 'string' || !value.test(id.value)) this.problem(`${path}.value`, 'idnst', `${label} : IDNST « ${shown(id.value)} » invalide (${expected}).`);
  }

  address(path: string, address: unknown, label: string): void {
    if (!isObject(address)) return this.problem(path, 'address', `${label} : adresse obligatoire.`);
    if (!arrayOf(address.line).some(isNonBlank)) this.problem(`${path}.line`, 'address', `${label} : address.line obligatoire.`);
    if (!isNonBlank(address.city)) this.problem(`${path}.city`, 'address', `${label} : address.city obligatoire.`);
    if (typeof address.postalCode !== 'string' || !/^\d{5}$/.test(address.postalCode)) this.problem(`${path}.postalCode`, 'address', `${label} : address.postalCode de 5 chiffres obligatoire.`);
  }

  telecoms(path: string, telecom: unknown, label: string): void {
    for (const [i, t] of arrayOf(telecom).entries()) {
      if (!isObject(t) || !isNonBlank(t.value)) {
        this.problem(`${path}[${i}]`, 'no-empty-elements', `${label} : telecom sans valeur.`);
      } else if (t.system === 'phone' && !PHONE.test(t.value)) {
        this.problem(`${path}[${i}].value`, 'telecom-phone', `${label} : téléphone « ${t.value} » au format international attendu (+33…, +262, +590, +594, +596).`);
      }
    }
  }
}
