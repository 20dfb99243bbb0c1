/**
 * <sas-structures>: the structures screen of the shell (/structures) for gestionnaires de structure and national
 * administrators.
 * - The list: the structures the caller manages (GET /api/directory/structures?managedBy=me); an administrator may
 *   list all the structures of a département instead (and of a kind).
 * - "Créer une structure" (POST /api/directory/structures): kind, name, commune (autocomplete), postcode, street,
 *   phone and the SIRET its agenda vendor publishes its slots under (an SOS Médecins association shows in the
 *   regulators' search with it). A gestionnaire de structure creates only in its territories and becomes its manager.
 * - A structure's page (/structures?id=…, GET /api/directory/structures/{id}): its details, an edit form that sends only
 *   the fields changed (PATCH; a FINESS structure is read-only: its details come from the FINESS extract) and its
 *   members (add by RPPS, remove).
 * The server's field errors show next to their fields, other refusals in an alert; results are announced (role=status).
 * The list and a structure are read models updated just after a write: after a change, the screen reads again until
 * it shows the change, so that what it shows never contradicts the success message.
 */
import { LitElement, html, nothing } from 'lit';
import { ApiError, getJson, hasRole, navigate, postJson, sendJson, territoriesOf, type Me, type Problem } from './api.ts';
import { CommuneCombobox, STRUCTURE_KINDS, structureKindLabel, type Commune } from './sas-search.ts';
// One RPPS rule for the server and the browser.
import { isRpps } from '../../src/shared-kernel/ids/rpps.id.ts';
// The shapes of the structures API, from the server's own types (type-only: nothing of the server is bundled).
import type { StructureMemberView, StructureView } from '../../src/modules/directory/infrastructure/structures.projection.ts';
import type { StructureResponse } from '../../src/modules/directory/application/structures/structures.routes.ts';

export type StructureItem = StructureResponse;

export interface StructureDetail extends StructureResponse {
  readonly members: readonly StructureMemberView[];
  /** The caller manages the structure (or is an administrator) and it is open. */
  readonly canManageMembers: boolean;
}

type Kind = StructureView['kind'];

/** The fields of the creation and edit forms, named as the API's body (its field errors come back by these names). */
type Field = 'kind' | 'name' | 'inseeCode' | 'postcode' | 'street' | 'phone' | 'siret';
type TextField = 'name' | 'postcode' | 'street' | 'phone' | 'siret';
type Values = Record<TextField, string> & { kind: string };
type FieldErrors = Partial<Record<Field, string>>;

const FIELDS: readonly Field[] = ['kind', 'name', 'inseeCode', 'postcode', 'street', 'phone', 'siret'];
const DEPARTEMENT = /^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8])$/;

const KIND_DESCRIPTIONS: Record<Kind, string> = {
  cpts: 'CPTS (communauté professionnelle territoriale de santé)',
  msp: 'Maison de santé pluriprofessionnelle (MSP)',
  'centre-de-sante': 'Centre de santé',
  'sos-medecins': 'Association SOS Médecins',
};

const SIRET_HINT =
  '14 chiffres, facultatif. C’est le numéro sous lequel l’éditeur d’agenda de la structure publie ses créneaux : il est nécessaire pour qu’une association SOS Médecins apparaisse dans la recherche des régulateurs.';

const emptyValues = (): Values => ({ kind: '', name: '', postcode: '', street: '', phone: '', siret: '' });

// The server's own normalisations (structures.routes.ts), to compare what is typed with what is stored.
const compactSiret = (v: string) => v.replace(/[\s\u00a0\u202f]/g, '');
const compactPhone = (v: string) => v.replace(/[\s.-]/g, '').replace(/^\+33/, '0');

/** "05 61 00 00 00" for a 10-digit number, else as stored. */
export function phoneLabel(phone: string | null): string {
  if (!phone) return '—';
  return /^\d{10}$/.test(phone) ? phone.replace(/(\d{2})(?=\d)/g, '$1 ') : phone;
}

/** "732 829 320 00074" (SIREN, then NIC), else as stored. */
export function siretLabel(siret: string | null): string {
  if (!siret) return '—';
  return /^\d{14}$/.test(siret) ? `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}` : siret;
}

function memberName(m: StructureMemberView): string {
  return [m.givenName, m.familyName].filter(Boolean).join(' ');
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' });

/** The fields of the edit form that differ from the structure as stored: the PATCH body (null clears a field). */
export function changedFields(structure: StructureView, v: Values, inseeCode: string): Record<string, string | null> {
  const body: Record<string, string | null> = {};
  const optional = (value: string) => (value.trim() === '' ? null : value.trim());
  if (v.name.trim() !== structure.name) body.name = v.name.trim();
  if (inseeCode !== structure.address.inseeCode) body.inseeCode = inseeCode;
  if (optional(v.postcode) !== structure.address.postcode) body.postcode = optional(v.postcode);
  if (optional(v.street) !== structure.address.street) body.street = optional(v.street);
  const phone = optional(v.phone);
  if ((phone === null ? null : compactPhone(phone)) !== structure.phone) body.phone = phone;
  const siret = optional(v.siret);
  if ((siret === null ? null : compactSiret(siret)) !== structure.siret) body.siret = siret;
  return body;
}

/** Whether the structure as read shows every change of a PATCH body (the read model caught up). */
function shows(structure: StructureView, body: Record<string, string | null>): boolean {
  const norm = (k: string, v: string | null) => (v === null ? null : k === 'phone' ? compactPhone(v) : k === 'siret' ? compactSiret(v) : v);
  const stored: Record<string, string | null> = {
    name: structure.name,
    inseeCode: structure.address.inseeCode,
    postcode: structure.address.postcode,
    street: structure.address.street,
    phone: structure.phone,
    siret: structure.siret,
  };
  return Object.entries(body).every(([k, v]) => stored[k] === norm(k, v));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `done` holds (at most 5 s): the read models are updated a few milliseconds after a write. */
async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(150);
    value = await read();
  }
  return value;
}

function fieldErrorsOf(problem: Problem | null): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of FIELDS) {
    const message = problem?.fieldErrors[field];
    if (message) errors[field] = message;
  }
  return errors;
}

/** A DSFR text input with its label, hint and error (the error named by `aria-describedby`). */
function inputGroup(o: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  readonly hint?: string;
  readonly error?: string | null;
  readonly name?: string;
  readonly type?: string;
  readonly inputmode?: string;
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly groupClass?: string;
}): unknown {
  const described = [o.hint ? `${o.id}-hint` : '', o.error ? `${o.id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="fr-input-group ${o.groupClass ?? ''} ${o.error ? 'fr-input-group--error' : ''}">
    <label class="fr-label" for=${o.id}>${o.label}${o.hint ? html`<span class="fr-hint-text" id=${`${o.id}-hint`}>${o.hint}</span>` : nothing}</label>
    <input
      class="fr-input ${o.error ? 'fr-input--error' : ''}"
      id=${o.id}
      name=${o.name ?? nothing}
      type=${o.type ?? 'text'}
      inputmode=${o.inputmode ?? nothing}
      autocomplete=${o.autocomplete ?? 'off'}
      ?required=${o.required ?? false}
      aria-invalid=${o.error ? 'true' : 'false'}
      aria-describedby=${described || nothing}
      .value=${o.value}
      @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)}
    />
    ${o.error ? html`<p class="fr-error-text" id=${`${o.id}-error`}>${o.error}</p>` : nothing}
  </div>`;
}

export class SasStructures extends LitElement {
  static override properties = {
    me: { attribute: false },
    search: { attribute: false },
    selectedId: { state: true },
    items: { state: true },
    nextCursor: { state: true },
    listLoading: { state: true },
    listError: { state: true },
    filterDepartement: { state: true },
    filterKind: { state: true },
    filterError: { state: true },
    shownFilter: { state: true },
    success: { state: true },
    values: { state: true },
    fieldErrors: { state: true },
    formError: { state: true },
    busy: { state: true },
    detail: { state: true },
    detailError: { state: true },
    editValues: { state: true },
    editErrors: { state: true },
    editError: { state: true },
    editStatus: { state: true },
    memberRpps: { state: true },
    memberFieldError: { state: true },
    memberError: { state: true },
    memberStatus: { state: true },
  };

  declare me: Me | null;
  /** The URL's query string, from the shell: `?id=…` shows that structure. */
  declare search: string;
  /** The structure shown (`?id=` of the URL), null for the list. */
  declare selectedId: string | null;
  declare items: readonly StructureItem[] | null;
  declare nextCursor: string | null;
  declare listLoading: boolean;
  declare listError: string | null;
  /** An administrator's filter: a département (all its structures) or '' (the structures it manages). */
  declare filterDepartement: string;
  declare filterKind: string;
  declare filterError: string | null;
  /** The filter of the list shown. */
  declare shownFilter: { departement: string; kind: string };
  declare success: string | null;
  declare values: Values;
  declare fieldErrors: FieldErrors;
  declare formError: { title: string; text: string } | null;
  declare busy: boolean;
  declare detail: StructureDetail | null;
  declare detailError: string | null;
  declare editValues: Values;
  declare editErrors: FieldErrors;
  declare editError: string | null;
  declare editStatus: string | null;
  declare memberRpps: string;
  declare memberFieldError: string | null;
  declare memberError: string | null;
  declare memberStatus: string | null;

  private readonly createCommune = new CommuneCombobox(this, (c) => this.onCommuneChosen(c, 'create'));
  private readonly editCommune = new CommuneCombobox(this, (c) => this.onCommuneChosen(c, 'edit'));
  /** The département of the commune chosen in the creation form (an administrator's list follows it). */
  private createdDepartement: string | null = null;
  private loadedFor: string | null = null;
  private detailSeq = 0;
  /** Where the focus goes once it exists (the structure's title once loaded, the list's button on return). */
  private pendingFocus: string | null = null;

  constructor() {
    super();
    this.me = null;
    this.search = location.search;
    this.selectedId = idOf(this.search);
    this.items = null;
    this.nextCursor = null;
    this.listLoading = false;
    this.listError = null;
    this.filterDepartement = '';
    this.filterKind = '';
    this.filterError = null;
    this.shownFilter = { departement: '', kind: '' };
    this.success = null;
    this.values = emptyValues();
    this.fieldErrors = {};
    this.formError = null;
    this.busy = false;
    this.detail = null;
    this.detailError = null;
    this.editValues = emptyValues();
    this.editErrors = {};
    this.editError = null;
    this.editStatus = null;
    this.memberRpps = '';
    this.memberFieldError = null;
    this.memberError = null;
    this.memberStatus = null;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  private get isAdmin(): boolean {
    return hasRole(this.me, 'admin-national');
  }

  /** The départements where the gestionnaire may create a structure. */
  private territories(): string[] {
    return territoriesOf(this.me, 'gestionnaire-structure');
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const me = this.me;
    if (me && this.loadedFor !== me.accountId) {
      this.loadedFor = me.accountId;
      this.selectedId = idOf(this.search);
      void this.loadList();
      if (this.selectedId) void this.loadDetail(this.selectedId);
    } else if (changed.has('search') && idOf(this.search) !== this.selectedId) {
      this.display(idOf(this.search));
    }
  }

  protected override updated(): void {
    // After the shell's own focus move (to the main content) on navigation.
    const target = this.pendingFocus ? this.querySelector<HTMLElement>(this.pendingFocus) : null;
    if (target) {
      this.pendingFocus = null;
      target.focus();
    }
  }

  private async focusOn(selector: string): Promise<void> {
    await this.updateComplete;
    this.querySelector<HTMLElement>(selector)?.focus();
  }

  private communeLabel(s: StructureResponse): string {
    return [s.address.postcode, s.communeName ?? `commune ${s.address.inseeCode}`].filter(Boolean).join(' ');
  }

  private onCommuneChosen(commune: Commune | null, form: 'create' | 'edit'): void {
    if (!commune) return;
    if (form === 'create') this.createdDepartement = commune.departement;
    // The postcode follows the commune when it has one only; another commune's postcode is dropped.
    const values = form === 'create' ? this.values : this.editValues;
    const postcode = commune.postcodes.length === 1 ? commune.postcodes[0]! : commune.postcodes.includes(values.postcode.trim()) ? values.postcode : '';
    if (form === 'create') this.values = { ...values, postcode };
    else this.editValues = { ...values, postcode };
  }

  // ---- list ----

  private listUrl(filter: { departement: string; kind: string }, cursor: string | null): string {
    const p = new URLSearchParams();
    if (filter.departement) p.set('departement', filter.departement);
    else p.set('managedBy', 'me');
    if (filter.kind) p.set('kind', filter.kind);
    p.set('limit', '50');
    if (cursor) p.set('cursor', cursor);
    return `/api/directory/structures?${p.toString()}`;
  }

  private async fetchList(cursor: string | null = null): Promise<{ items: StructureItem[]; nextCursor: string | null }> {
    return getJson<{ items: StructureItem[]; nextCursor: string | null }>(this.listUrl(this.shownFilter, cursor));
  }

  private async loadList(more = false, until?: (items: readonly StructureItem[]) => boolean): Promise<void> {
    this.listLoading = true;
    this.listError = null;
    try {
      const page = until && !more ? await readUntil(() => this.fetchList(), (p) => until(p.items)) : await this.fetchList(more ? this.nextCursor : null);
      this.items = more && this.items ? [...this.items, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
    } catch (e) {
      this.listError = e instanceof ApiError ? e.problem.detail : 'Impossible de charger les structures.';
      if (!more) this.items = [];
    } finally {
      this.listLoading = false;
    }
  }

  private onFilter(event: Event): void {
    event.preventDefault();
    const departement = this.filterDepartement.trim().toUpperCase();
    if (departement && !DEPARTEMENT.test(departement)) {
      this.filterError = 'Saisissez un code de département, par exemple 31, 2A ou 974, ou laissez le champ vide.';
      void this.focusOn('#structures-filter-departement');
      return;
    }
    this.filterError = null;
    this.filterDepartement = departement;
    this.shownFilter = { departement, kind: this.filterKind };
    void this.loadList();
  }

  // ---- navigation between the list and a structure ----

  /** Opens a structure (its id) or goes back to the list (null): a history entry of the shell, /structures?id=…. */
  private show(id: string | null): void {
    const url = new URL(location.href);
    if (id) url.searchParams.set('id', id);
    else url.searchParams.delete('id');
    navigate(this, url.pathname + url.search);
  }

  /** Shows what the URL names (the shell passes its query string on every navigation, Back and Forward included). */
  private display(id: string | null): void {
    const previous = this.selectedId;
    this.selectedId = id;
    this.success = null;
    if (id) {
      this.pendingFocus = '#structure-title';
      void this.loadDetail(id);
    } else {
      this.detail = null;
      this.pendingFocus = previous ? `[data-open-structure="${CSS.escape(previous)}"]` : '#structures-list-title';
    }
  }

  // ---- creation ----

  private onInput(form: 'create' | 'edit', field: keyof Values, value: string): void {
    if (form === 'create') this.values = { ...this.values, [field]: value };
    else this.editValues = { ...this.editValues, [field]: value };
  }

  private validateCreate(): FieldErrors {
    const errors: FieldErrors = {};
    if (!this.values.kind) errors.kind = 'Choisissez le type de structure.';
    if (!this.values.name.trim()) errors.name = 'Saisissez le nom de la structure.';
    if (!this.createCommune.selected) errors.inseeCode = this.createCommune.text.trim() ? 'Choisissez une commune dans la liste proposée.' : 'Saisissez la commune de la structure, puis choisissez-la dans la liste.';
    return errors;
  }

  private showCreateErrors(errors: FieldErrors): void {
    this.fieldErrors = errors;
    this.createCommune.setError(errors.inseeCode ?? null);
  }

  private async onCreate(event: Event): Promise<void> {
    event.preventDefault();
    this.formError = null;
    this.success = null;
    const invalid = this.validateCreate();
    this.showCreateErrors(invalid);
    if (Object.keys(invalid).length > 0) {
      void this.focusOn('#structure-create-form [aria-invalid="true"]');
      return;
    }
    const v = this.values;
    const body: Record<string, string> = { kind: v.kind, name: v.name.trim(), inseeCode: this.createCommune.selected!.inseeCode };
    for (const field of ['postcode', 'street', 'phone', 'siret'] as const) if (v[field].trim()) body[field] = v[field].trim();
    this.busy = true;
    try {
      const { structureId } = await postJson<{ structureId: string }>('/api/directory/structures', body);
      this.success = `La structure « ${body.name} » a été créée.${this.isAdmin && !hasRole(this.me, 'gestionnaire-structure') ? '' : ' Vous en êtes gestionnaire.'}`;
      this.values = emptyValues();
      this.createCommune.set(null);
      // An administrator is not made its manager: its list shows the structure's département.
      if (this.isAdmin && !hasRole(this.me, 'gestionnaire-structure') && this.createdDepartement) {
        this.filterDepartement = this.createdDepartement;
        this.shownFilter = { departement: this.createdDepartement, kind: '' };
        this.filterKind = '';
      }
      await this.loadList(false, (items) => items.some((s) => s.structureId === structureId));
      void this.focusOn('#structures-success');
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : null;
      const errors = fieldErrorsOf(problem);
      if (problem?.code === 'StructureSiretTaken') errors.siret = 'Ce SIRET est déjà celui d’une autre structure ouverte.';
      this.showCreateErrors(errors);
      this.formError = this.problemMessage(problem, errors, 'La structure n’a pas été créée');
      void this.focusOn(Object.keys(errors).length > 0 && problem?.status === 400 ? '#structure-create-form [aria-invalid="true"]' : '#structure-create-error');
    } finally {
      this.busy = false;
    }
  }

  private problemMessage(problem: Problem | null, errors: FieldErrors, title: string): { title: string; text: string } {
    if (!problem) return { title, text: 'La demande a échoué : réessayez.' };
    if (problem.status === 400 && Object.keys(errors).length > 0) return { title, text: 'Corrigez les champs signalés ci-dessous.' };
    if (problem.status === 403) {
      const territories = this.territories();
      return {
        title,
        text: territories.length
          ? `Vous ne pouvez créer une structure que dans vos territoires (${territories.join(', ')}) : choisissez une commune de ${territories.length > 1 ? 'ces départements' : 'ce département'}.`
          : problem.detail,
      };
    }
    return { title, text: problem.detail };
  }

  // ---- one structure ----

  private async fetchDetail(id: string): Promise<StructureDetail> {
    return getJson<StructureDetail>(`/api/directory/structures/${encodeURIComponent(id)}`);
  }

  private async loadDetail(id: string, until?: (d: StructureDetail) => boolean): Promise<void> {
    const seq = ++this.detailSeq;
    if (!until) {
      this.detail = null;
      this.editErrors = {};
      this.editError = null;
      this.editStatus = null;
      this.memberError = null;
      this.memberStatus = null;
      this.memberFieldError = null;
      this.memberRpps = '';
    }
    this.detailError = null;
    try {
      const detail = until ? await readUntil(() => this.fetchDetail(id), until) : await this.fetchDetail(id);
      if (seq !== this.detailSeq) return;
      this.detail = detail;
      this.fillEditForm(detail);
    } catch (e) {
      if (seq !== this.detailSeq) return;
      this.detailError = e instanceof ApiError ? e.problem.detail : 'Impossible de charger la structure.';
    }
  }

  private fillEditForm(d: StructureResponse): void {
    this.editValues = {
      kind: d.kind,
      name: d.name,
      postcode: d.address.postcode ?? '',
      street: d.address.street ?? '',
      phone: d.phone ? phoneLabel(d.phone) : '',
      siret: d.siret ?? '',
    };
    this.editCommune.set({ inseeCode: d.address.inseeCode, name: d.communeName ?? d.address.inseeCode });
  }

  private async onEdit(event: Event): Promise<void> {
    event.preventDefault();
    const detail = this.detail;
    if (!detail) return;
    this.editError = null;
    this.editStatus = null;
    const errors: FieldErrors = {};
    if (!this.editValues.name.trim()) errors.name = 'Saisissez le nom de la structure.';
    if (!this.editCommune.selected) errors.inseeCode = 'Choisissez une commune dans la liste proposée.';
    this.editErrors = errors;
    this.editCommune.setError(errors.inseeCode ?? null);
    if (Object.keys(errors).length > 0) {
      void this.focusOn('#structure-edit-form [aria-invalid="true"]');
      return;
    }
    const body = changedFields(detail, this.editValues, this.editCommune.selected!.inseeCode);
    if (Object.keys(body).length === 0) {
      this.editStatus = 'Aucune modification à enregistrer : les informations sont inchangées.';
      return;
    }
    this.busy = true;
    try {
      const { changed } = await sendJson<{ structureId: string; changed: boolean }>('PATCH', `/api/directory/structures/${encodeURIComponent(detail.structureId)}`, body);
      await this.loadDetail(detail.structureId, (d) => shows(d, body));
      this.editStatus = changed ? 'Les informations de la structure ont été enregistrées.' : 'Aucune modification : les informations étaient déjà à jour.';
      void this.loadList();
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : null;
      const fieldErrors = fieldErrorsOf(problem);
      if (problem?.code === 'StructureSiretTaken') fieldErrors.siret = 'Ce SIRET est déjà celui d’une autre structure ouverte.';
      this.editErrors = fieldErrors;
      this.editCommune.setError(fieldErrors.inseeCode ?? null);
      const message = this.problemMessage(problem, fieldErrors, 'Les modifications n’ont pas été enregistrées');
      this.editError = message.text;
      void this.focusOn(Object.keys(fieldErrors).length > 0 && problem?.status === 400 ? '#structure-edit-form [aria-invalid="true"]' : '#structure-edit-error');
    } finally {
      this.busy = false;
    }
  }

  private async onAddMember(event: Event): Promise<void> {
    event.preventDefault();
    const detail = this.detail;
    if (!detail) return;
    this.memberError = null;
    this.memberStatus = null;
    const rpps = this.memberRpps.trim();
    if (!isRpps(rpps)) {
      this.memberFieldError = 'Saisissez un numéro RPPS de 11 chiffres (clé de contrôle comprise).';
      void this.focusOn('#structure-member-rpps');
      return;
    }
    this.memberFieldError = null;
    if (detail.members.some((m) => m.rpps === rpps)) {
      this.memberStatus = `Le professionnel RPPS ${rpps} est déjà membre de la structure.`;
      return;
    }
    this.busy = true;
    try {
      await postJson(`/api/directory/structures/${encodeURIComponent(detail.structureId)}/members`, { rpps });
      await this.loadDetail(detail.structureId, (d) => d.members.some((m) => m.rpps === rpps));
      const member = this.detail?.members.find((m) => m.rpps === rpps);
      this.memberStatus = `${member && memberName(member) ? `${memberName(member)} (RPPS ${rpps})` : `Le professionnel RPPS ${rpps}`} a été ajouté aux membres de la structure.`;
      this.memberRpps = '';
      void this.loadList();
      void this.focusOn('#structure-member-rpps');
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : null;
      if (problem?.fieldErrors.rpps) {
        this.memberFieldError = problem.fieldErrors.rpps;
        void this.focusOn('#structure-member-rpps');
      } else {
        this.memberError = problem?.detail ?? 'L’ajout du membre a échoué : réessayez.';
      }
    } finally {
      this.busy = false;
    }
  }

  private async onRemoveMember(member: StructureMemberView): Promise<void> {
    const detail = this.detail;
    if (!detail) return;
    this.memberError = null;
    this.memberStatus = null;
    this.busy = true;
    const who = memberName(member) ? `${memberName(member)} (RPPS ${member.rpps})` : `Le professionnel RPPS ${member.rpps}`;
    try {
      await sendJson('DELETE', `/api/directory/structures/${encodeURIComponent(detail.structureId)}/members/${encodeURIComponent(member.rpps)}`);
      await this.loadDetail(detail.structureId, (d) => !d.members.some((m) => m.rpps === member.rpps));
      this.memberStatus = `${who} a été retiré des membres de la structure.`;
      void this.loadList();
    } catch (e) {
      this.memberError = e instanceof ApiError ? e.problem.detail : 'Le retrait du membre a échoué : réessayez.';
    } finally {
      this.busy = false;
      void this.focusOn('#structure-members-title');
    }
  }

  // ---- rendering ----

  /** A text input of a form, with its hint and its error (DSFR error state). */
  private renderInput(
    form: 'create' | 'edit',
    field: TextField,
    label: string,
    o: { hint?: string; type?: string; inputmode?: string; autocomplete?: string; required?: boolean } = {},
  ): unknown {
    return html`<div class="fr-fieldset__element">
      ${inputGroup({
        ...o,
        id: `structure-${form}-${field}`,
        name: field,
        label,
        value: (form === 'create' ? this.values : this.editValues)[field],
        error: (form === 'create' ? this.fieldErrors : this.editErrors)[field] ?? null,
        onInput: (value) => this.onInput(form, field, value),
      })}
    </div>`;
  }

  /** The address, phone and SIRET fields, shared by the creation and edit forms. */
  private renderDetailsFields(form: 'create' | 'edit'): unknown {
    const commune = form === 'create' ? this.createCommune : this.editCommune;
    const territories = this.territories();
    return html`${this.renderInput(form, 'name', 'Nom de la structure', { required: true, hint: 'Par exemple : SOS Médecins Toulouse.' })}
      <div class="fr-fieldset__element">
        ${commune.render({
          id: `structure-${form}-commune`,
          label: 'Commune',
          hint:
            form === 'create' && !this.isAdmin && territories.length
              ? `Nom, code postal ou code INSEE, dans vos territoires (${territories.join(', ')}) ; choisissez ensuite une commune dans la liste.`
              : 'Nom, code postal ou code INSEE ; choisissez ensuite une commune dans la liste.',
          required: true,
        })}
      </div>
      ${this.renderInput(form, 'postcode', 'Code postal (facultatif)', { inputmode: 'numeric', hint: '5 chiffres.' })}
      ${this.renderInput(form, 'street', 'Adresse : numéro et voie (facultatif)', { hint: 'Par exemple : 12 rue des Lilas.' })}
      ${this.renderInput(form, 'phone', 'Téléphone (facultatif)', { type: 'tel', hint: '10 chiffres, par exemple 05 61 00 00 00.' })}
      ${this.renderInput(form, 'siret', 'SIRET (facultatif)', { inputmode: 'numeric', hint: SIRET_HINT })}`;
  }

  private renderCreateForm(): unknown {
    const error = this.fieldErrors.kind;
    return html`<section class="fr-mb-6w" aria-labelledby="structure-create-title">
      <h2 id="structure-create-title">Créer une structure</h2>
      <p class="fr-text--sm">
        Pour une structure absente de FINESS, par exemple une association SOS Médecins. Les CPTS, maisons et centres de
        santé connus de FINESS sont importés de son extraction.
      </p>
      <div role="alert">
        ${this.formError
          ? html`<div class="fr-alert fr-alert--error fr-mb-3w" id="structure-create-error" tabindex="-1">
              <h3 class="fr-alert__title">${this.formError.title}</h3>
              <p>${this.formError.text}</p>
            </div>`
          : nothing}
      </div>
      <form id="structure-create-form" novalidate @submit=${(e: Event) => this.onCreate(e)}>
        <fieldset class="fr-fieldset" aria-labelledby="structure-create-legend">
          <legend class="fr-fieldset__legend" id="structure-create-legend">La structure</legend>
          <div class="fr-fieldset__element">
            <div class="fr-select-group ${error ? 'fr-select-group--error' : ''}">
              <label class="fr-label" for="structure-create-kind">Type de structure</label>
              <select
                class="fr-select ${error ? 'fr-select--error' : ''}"
                id="structure-create-kind"
                name="kind"
                required
                aria-invalid=${error ? 'true' : 'false'}
                aria-describedby=${error ? 'structure-create-kind-error' : nothing}
                @change=${(e: Event) => this.onInput('create', 'kind', (e.target as HTMLSelectElement).value)}
              >
                <option value="" ?selected=${!this.values.kind} disabled>Choisir un type</option>
                ${STRUCTURE_KINDS.map((k) => html`<option value=${k.id} ?selected=${this.values.kind === k.id}>${KIND_DESCRIPTIONS[k.id]}</option>`)}
              </select>
              ${error ? html`<p class="fr-error-text" id="structure-create-kind-error">${error}</p>` : nothing}
            </div>
          </div>
          ${this.renderDetailsFields('create')}
        </fieldset>
        <button type="submit" class="fr-btn" ?disabled=${this.busy}>Créer la structure</button>
      </form>
    </section>`;
  }

  private renderFilter(): unknown {
    if (!this.isAdmin) return nothing;
    return html`<form class="fr-mb-3w" novalidate aria-label="Filtrer les structures" @submit=${(e: Event) => this.onFilter(e)}>
      <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div class="fr-col-12 fr-col-md-4">
          ${inputGroup({
            id: 'structures-filter-departement',
            label: 'Département',
            hint: 'Toutes les structures du département (31, 2A, 974…) ; vide : celles dont vous êtes gestionnaire.',
            groupClass: 'fr-mb-0',
            value: this.filterDepartement,
            error: this.filterError,
            onInput: (value) => (this.filterDepartement = value),
          })}
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <div class="fr-select-group fr-mb-0">
            <label class="fr-label" for="structures-filter-kind">Type</label>
            <select class="fr-select" id="structures-filter-kind" @change=${(e: Event) => (this.filterKind = (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${!this.filterKind}>Tous les types</option>
              ${STRUCTURE_KINDS.map((k) => html`<option value=${k.id} ?selected=${this.filterKind === k.id}>${k.label}</option>`)}
            </select>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-4">
          <button type="submit" class="fr-btn fr-btn--secondary">Afficher les structures</button>
        </div>
      </div>
    </form>`;
  }

  private listTitle(): string {
    const { departement } = this.shownFilter;
    return departement ? `Structures du département ${departement}` : 'Vos structures';
  }

  private renderList(): unknown {
    const items = this.items;
    const title = this.listTitle();
    return html`<section class="fr-mb-6w" aria-labelledby="structures-list-title" aria-busy=${this.listLoading ? 'true' : 'false'}>
      <h2 id="structures-list-title" tabindex="-1">${title}</h2>
      ${this.renderFilter()}
      <div role="alert">
        ${this.listError ? html`<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w"><p>${this.listError}</p></div>` : nothing}
      </div>
      ${items === null
        ? html`<p>Chargement des structures…</p>`
        : items.length === 0
          ? html`<p data-empty>
              ${this.shownFilter.departement
                ? 'Aucune structure ouverte ne correspond à ce filtre.'
                : this.isAdmin
                  ? 'Vous n’êtes gestionnaire d’aucune structure : choisissez un département pour afficher ses structures.'
                  : 'Vous n’êtes gestionnaire d’aucune structure pour l’instant. Créez-en une ci-dessous ou demandez à un administrateur de vous en confier une.'}
            </p>`
          : html`<div class="fr-table fr-table--no-caption">
                <div class="fr-table__wrapper">
                  <div class="fr-table__container">
                    <div class="fr-table__content">
                      <table data-structures>
                        <caption>${title}</caption>
                        <thead>
                          <tr>
                            <th scope="col">Nom</th>
                            <th scope="col">Type</th>
                            <th scope="col">Commune</th>
                            <th scope="col">SIRET</th>
                            <th scope="col">Membres</th>
                            <th scope="col">Action</th>
                          </tr>
                        </thead>
                        <tbody>
                          ${items.map(
                            (s) => html`<tr data-structure-id=${s.structureId}>
                              <th scope="row">${s.name}${s.source === 'finess' ? html` <span class="fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon">FINESS</span>` : nothing}</th>
                              <td>${structureKindLabel(s.kind)}</td>
                              <td>${this.communeLabel(s)}</td>
                              <td>${siretLabel(s.siret)}</td>
                              <td>${s.memberCount}</td>
                              <td>
                                <button type="button" class="fr-btn fr-btn--sm fr-btn--secondary" data-open-structure=${s.structureId} @click=${() => this.show(s.structureId)}>
                                  Gérer<span class="fr-sr-only"> la structure ${s.name}</span>
                                </button>
                              </td>
                            </tr>`,
                          )}
                        </tbody>
                      </table>
                    </div>
                  </div>
                </div>
              </div>
              ${this.nextCursor
                ? html`<button type="button" class="fr-btn fr-btn--tertiary" ?disabled=${this.listLoading} @click=${() => void this.loadList(true)}>Voir plus de structures</button>`
                : nothing}`}
    </section>`;
  }

  private renderEdit(d: StructureDetail): unknown {
    if (d.source === 'finess') {
      return html`<div class="fr-callout fr-mb-3w" data-read-only="finess">
        <p class="fr-callout__text">
          Les informations de cette structure viennent de l’extraction FINESS (n° ${d.finess ?? '—'}) : elles y sont mises à
          jour et ne peuvent pas être modifiées ici. Vous pouvez gérer ses membres.
        </p>
      </div>`;
    }
    if (d.status === 'closed') {
      return html`<div class="fr-callout fr-mb-3w" data-read-only="closed"><p class="fr-callout__text">Cette structure est fermée : elle ne peut plus être modifiée.</p></div>`;
    }
    if (!d.canManageMembers) {
      return html`<div class="fr-callout fr-mb-3w" data-read-only="not-manager">
        <p class="fr-callout__text">Vous n’êtes pas gestionnaire de cette structure : vous pouvez seulement la consulter.</p>
      </div>`;
    }
    return html`<div role="status">
        ${this.editStatus ? html`<div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" id="structure-edit-status"><p>${this.editStatus}</p></div>` : nothing}
      </div>
      <div role="alert">
        ${this.editError
          ? html`<div class="fr-alert fr-alert--error fr-mb-3w" id="structure-edit-error" tabindex="-1">
              <h4 class="fr-alert__title">Les modifications n’ont pas été enregistrées</h4>
              <p>${this.editError}</p>
            </div>`
          : nothing}
      </div>
      <form id="structure-edit-form" novalidate @submit=${(e: Event) => this.onEdit(e)}>
        <fieldset class="fr-fieldset" aria-labelledby="structure-edit-legend">
          <legend class="fr-fieldset__legend" id="structure-edit-legend">Modifier les informations</legend>
          ${this.renderDetailsFields('edit')}
        </fieldset>
        <ul class="fr-btns-group fr-btns-group--inline-sm">
          <li><button type="submit" class="fr-btn" ?disabled=${this.busy}>Enregistrer les modifications</button></li>
          <li>
            <button
              type="button"
              class="fr-btn fr-btn--secondary"
              ?disabled=${this.busy}
              @click=${() => {
                this.editErrors = {};
                this.editError = null;
                this.editStatus = null;
                this.fillEditForm(d);
              }}
            >
              Annuler les changements
            </button>
          </li>
        </ul>
      </form>`;
  }

  private renderMembers(d: StructureDetail): unknown {
    return html`<section class="fr-mt-6w fr-mb-6w" aria-labelledby="structure-members-title">
      <h3 id="structure-members-title" tabindex="-1">Membres (${d.members.length})</h3>
      <div role="status">
        ${this.memberStatus ? html`<div class="fr-alert fr-alert--success fr-alert--sm fr-mb-2w" id="structure-member-status"><p>${this.memberStatus}</p></div>` : nothing}
      </div>
      <div role="alert">
        ${this.memberError ? html`<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" id="structure-member-error"><p>${this.memberError}</p></div>` : nothing}
      </div>
      ${d.members.length === 0
        ? html`<p>Cette structure n’a pas encore de membre.</p>`
        : html`<div class="fr-table fr-table--no-caption">
            <div class="fr-table__wrapper">
              <div class="fr-table__container">
                <div class="fr-table__content">
                  <table data-members>
                    <caption>Membres de ${d.name}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Nom</th>
                        <th scope="col">RPPS</th>
                        <th scope="col">Profession</th>
                        <th scope="col">Membre depuis le</th>
                        ${d.canManageMembers ? html`<th scope="col">Action</th>` : nothing}
                      </tr>
                    </thead>
                    <tbody>
                      ${d.members.map(
                        (m) => html`<tr data-member=${m.rpps}>
                          <th scope="row">${memberName(m) || 'Inconnu de l’annuaire'}</th>
                          <td>${m.rpps}</td>
                          <td>${[m.professionLabel, m.specialtyLabel].filter(Boolean).join(', ') || '—'}</td>
                          <td>${dateFormat.format(new Date(m.joinedAt))}</td>
                          ${d.canManageMembers
                            ? html`<td>
                                <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" ?disabled=${this.busy} @click=${() => this.onRemoveMember(m)}>
                                  Retirer<span class="fr-sr-only"> ${memberName(m) || 'le professionnel'} (RPPS ${m.rpps}) de la structure</span>
                                </button>
                              </td>`
                            : nothing}
                        </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>
              </div>
            </div>
          </div>`}
      ${d.canManageMembers
        ? html`<form id="structure-member-form" novalidate @submit=${(e: Event) => this.onAddMember(e)}>
            ${inputGroup({
              id: 'structure-member-rpps',
              label: 'Ajouter un membre : numéro RPPS',
              hint: '11 chiffres ; le professionnel exerce au sein de la structure.',
              inputmode: 'numeric',
              value: this.memberRpps,
              error: this.memberFieldError,
              onInput: (value) => (this.memberRpps = value),
            })}
            <button type="submit" class="fr-btn fr-btn--secondary" ?disabled=${this.busy}>Ajouter le membre</button>
          </form>`
        : nothing}
    </section>`;
  }

  private renderDetail(): unknown {
    const d = this.detail;
    const back = html`<p>
      <button type="button" class="fr-btn fr-btn--tertiary-no-outline fr-icon-arrow-left-line fr-btn--icon-left" @click=${() => this.show(null)}>
        Retour à la liste des structures
      </button>
    </p>`;
    if (!d) {
      return html`${back}
        <div role="alert">${this.detailError ? html`<div class="fr-alert fr-alert--error fr-alert--sm"><p>${this.detailError}</p></div>` : nothing}</div>
        ${this.detailError ? nothing : html`<p>Chargement de la structure…</p>`}`;
    }
    return html`${back}
      <section aria-labelledby="structure-title" data-structure=${d.structureId}>
        <h2 id="structure-title" tabindex="-1">${d.name}</h2>
        <ul class="fr-badges-group fr-mb-2w">
          <li><p class="fr-badge fr-badge--sm fr-badge--blue-ecume">${structureKindLabel(d.kind)}</p></li>
          <li><p class="fr-badge fr-badge--sm fr-badge--no-icon ${d.source === 'finess' ? 'fr-badge--info' : ''}">${d.source === 'finess' ? 'FINESS' : 'Créée sur la plateforme'}</p></li>
          ${d.status === 'closed' ? html`<li><p class="fr-badge fr-badge--sm fr-badge--error">Fermée</p></li>` : nothing}
        </ul>
        <ul class="fr-text--sm" data-summary>
          <li>Adresse : ${[d.address.street, this.communeLabel(d)].filter(Boolean).join(', ')} (département ${d.departement})</li>
          <li>Téléphone : ${phoneLabel(d.phone)}</li>
          <li>SIRET : <span data-siret>${siretLabel(d.siret)}</span></li>
          ${d.finess ? html`<li>FINESS : ${d.finess}</li>` : nothing}
        </ul>
        <h3>Informations</h3>
        ${this.renderEdit(d)} ${this.renderMembers(d)}
      </section>`;
  }

  override render(): unknown {
    const me = this.me;
    if (!me) return nothing;
    if (!hasRole(this.me, 'gestionnaire-structure') && !this.isAdmin) {
      return html`<h1>Structures</h1>
        <div class="fr-alert fr-alert--error fr-alert--sm" role="alert">
          <p>Cette page est réservée aux gestionnaires de structure et aux administrateurs nationaux.</p>
        </div>`;
    }
    return html`<h1>Structures</h1>
      ${this.selectedId
        ? this.renderDetail()
        : html`<p>Les structures de soins dont vous tenez les informations et les membres : centres et maisons de santé, CPTS, associations SOS Médecins.</p>
            <div role="status">
              ${this.success ? html`<div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" id="structures-success" tabindex="-1"><p>${this.success}</p></div>` : nothing}
            </div>
            ${this.renderList()} ${this.renderCreateForm()}`}`;
  }
}

function idOf(search: string): string | null {
  return new URLSearchParams(search).get('id') || null;
}

if (!customElements.get('sas-structures')) customElements.define('sas-structures', SasStructures);

declare global {
  interface HTMLElementTagNameMap {
    'sas-structures': SasStructures;
  }
}
