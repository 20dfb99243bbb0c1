/**
 * Regulator accounts the platform pushes to the vendor (INT_R02, FrPractitionerRegul): create with
 * `POST /Practitioner`, create-or-update with `PUT /Practitioner?identifier=system|value`, deactivation as an
 * update with `active=false` (no delete). Kept in memory as received, so tests can check what the platform sent.
 * Rules from shared/reference/sas-interfaces.md §3 and the test kit's expectations.
 */
import { randomUUID } from 'node:crypto';
import { IDNPS_SYSTEM, SAS_TECHNICAL_SYSTEM, V2_0203, type FhirResource } from '../fhir/sas-fhir.ts';

export interface StoredRegulator {
  readonly id: string;
  resource: FhirResource;
  readonly createdAt: string;
  updatedAt: string;
  version: number;
}

export type RegulatorWrite =
  | { readonly ok: true; readonly status: 200 | 201; readonly regulator: StoredRegulator }
  | { readonly ok: false; readonly status: 400 | 409 | 412 | 422; readonly code: string; readonly issues: readonly string[] };

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const nonBlank = (x: unknown): x is string => typeof x === 'string' && x.trim().length > 0;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The FrPractitionerRegul rules a pushed regulator must meet; an empty list when it does. */
export function regulatorIssues(body: unknown): string[] {
  if (!isObject(body) || body.resourceType !== 'Practitioner') return ['Une ressource Practitioner est attendue.'];
  const issues: string[] = [];
  const meta = body.meta;
  if (!isObject(meta) || meta.source !== SAS_TECHNICAL_SYSTEM) issues.push(`meta.source doit valoir ${SAS_TECHNICAL_SYSTEM}.`);
  const ids = Array.isArray(body.identifier) ? body.identifier : [];
  if (ids.length === 0) issues.push('identifier est obligatoire (IDNPS et/ou identifiant technique SAS).');
  for (const [i, id] of ids.entries()) {
    if (!isObject(id) || !nonBlank(id.value)) {
      issues.push(`identifier[${i}].value est obligatoire.`);
      continue;
    }
    const type = isObject(id.type) && Array.isArray(id.type.coding) ? (id.type.coding as Json[]).find((c) => isObject(c) && c.system === V2_0203)?.code : undefined;
    if (id.system === IDNPS_SYSTEM) {
      if (type !== 'IDNPS') issues.push(`identifier[${i}] : le système ${IDNPS_SYSTEM} va avec le type IDNPS.`);
      if (!/^(8\d{11}|0\w{9})$/.test(id.value)) issues.push(`identifier[${i}] : IDNPS « ${id.value} » invalide.`);
    } else if (id.system === SAS_TECHNICAL_SYSTEM) {
      if (type !== 'INTRN') issues.push(`identifier[${i}] : le système ${SAS_TECHNICAL_SYSTEM} va avec le type INTRN.`);
      if (!UUID.test(id.value)) issues.push(`identifier[${i}] : l’identifiant technique SAS doit être un UUID.`);
    } else {
      issues.push(`identifier[${i}] : système « ${String(id.system)} » inattendu (${IDNPS_SYSTEM} ou ${SAS_TECHNICAL_SYSTEM}).`);
    }
  }
  if (typeof body.active !== 'boolean') issues.push('active (true/false) est obligatoire.');
  const name = Array.isArray(body.name) && isObject(body.name[0]) ? body.name[0] : undefined;
  if (!name || !nonBlank(name.family)) issues.push('name.family est obligatoire et non vide.');
  if (!name || !Array.isArray(name.given) || name.given.length !== 1 || !nonBlank(name.given[0])) issues.push('name.given (un prénom) est obligatoire.');
  const telecom = Array.isArray(body.telecom) ? body.telecom.filter(isObject) : [];
  const emails = telecom.filter((t) => t.system === 'email');
  if (emails.length !== 1 || !nonBlank(emails[0]!.value)) issues.push('telecom : une adresse e-mail (system=email) non vide est obligatoire.');
  if (telecom.some((t) => t.system !== 'email')) issues.push('telecom : seul system=email est accepté.');
  return issues;
}

const keysOf = (resource: FhirResource): string[] =>
  (Array.isArray(resource.identifier) ? resource.identifier : []).filter(isObject).map((id) => `${String(id.system)}|${String(id.value)}`);

export class RegulatorStore {
  readonly #byId = new Map<string, StoredRegulator>();
  readonly #now: () => Date;

  constructor(now: () => Date) {
    this.#now = now;
  }

  all(): StoredRegulator[] {
    return [...this.#byId.values()];
  }

  get(id: string): StoredRegulator | undefined {
    return this.#byId.get(id);
  }

  /** Regulators carrying `system|value`. */
  find(identifier: string): StoredRegulator[] {
    return this.all().filter((r) => keysOf(r.resource).includes(identifier));
  }

  /** `POST /Practitioner`: a second active account with one of the same identifiers is refused. */
  create(body: unknown): RegulatorWrite {
    const issues = regulatorIssues(body);
    if (issues.length > 0) return { ok: false, status: 422, code: 'invariant', issues };
    const resource = body as FhirResource;
    const clash = this.clash(resource, undefined);
    if (clash) return clash;
    return { ok: true, status: 201, regulator: this.store(undefined, resource) };
  }

  /** `PUT /Practitioner?identifier=…`: updates the account found by the (possibly old) identifier, else creates. */
  upsert(identifier: string, body: unknown): RegulatorWrite {
    if (!/^[^|]+\|.+$/.test(identifier)) return { ok: false, status: 400, code: 'invalid', issues: ['identifier=système|valeur est obligatoire.'] };
    const issues = regulatorIssues(body);
    if (issues.length > 0) return { ok: false, status: 422, code: 'invariant', issues };
    const found = this.find(identifier);
    const active = found.filter((r) => r.resource.active === true);
    const target = found.length === 1 ? found[0] : active.length === 1 ? active[0] : undefined;
    if (found.length > 1 && !target) return { ok: false, status: 412, code: 'multiple-matches', issues: [`Plusieurs comptes portent ${identifier}.`] };
    const resource = body as FhirResource;
    const clash = this.clash(resource, target?.id);
    if (clash) return clash;
    return { ok: true, status: target ? 200 : 201, regulator: this.store(target, resource) };
  }

  clash(resource: FhirResource, self: string | undefined): RegulatorWrite | undefined {
    if (resource.active !== true) return undefined;
    const keys = keysOf(resource);
    const other = this.all().find((r) => r.id !== self && r.resource.active === true && keysOf(r.resource).some((k) => keys.includes(k)));
    return other ? { ok: false, status: 409, code: 'duplicate', issues: ['Un compte actif porte déjà cet identifiant.'] } : undefined;
  }

  store(existing: StoredRegulator | undefined, resource: FhirResource): StoredRegulator {
    const now = this.#now().toISOString();
    if (existing) {
      existing.resource = { ...resource, id: existing.id };
      existing.updatedAt = now;
      existing.version++;
      return existing;
    }
    const id = randomUUID();
    const created: StoredRegulator = { id, resource: { ...resource, id }, createdAt: now, updatedAt: now, version: 1 };
    this.#byId.set(id, created);
    return created;
  }
}
