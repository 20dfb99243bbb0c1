/**
 * <sas-search>: the regulators' search of a health professional around a commune, with their free slots (GET /api/search).
 * Works inside the shell (route /recherche) and alone: its attributes mirror the LRM URL parameters —
 * `inseecode` (searches at once around that commune), `city`, `specialty` or `filiere`, `practitioner` (RPPS of the
 * patient's médecin traitant), and `lat` + `lon` (+ `radius-km`): the patient's place inside that commune, as the
 * LRM entry /sas/recherche resolves it — the search is then around that point until another commune is chosen.
 * Results are practitioners' cards, CPTS cards (the CPTS's members under its point of contact) and the cards of
 * structures offering the filière themselves (an SOS Médecins association, whose slots are published under its SIRET).
 * Emits, bubbling and composed:
 * - `sas-slot-selected` ({@link SlotSelectedDetail}) when a slot is chosen: `rpps` is the practitioner's RPPS, or null
 *   on a structure's card, which gives instead `structureId` and `siret` (the identifier its slots are published under);
 * - `sas-practitioner-selected` ({@link PractitionerSelectedDetail}) when a practitioner's name is chosen (never for a
 *   structure's card).
 */
import { LitElement, html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiError, getJson, loginHref, platformUrl, type Problem } from './api.ts';

// The shapes of GET /api/search, from the server's own types (type-only: nothing of the server is bundled).
import type { SearchCard, SearchSlot, SearchStructure } from '../../src/modules/directory/application/search/search-engine.port.ts';
import type { SearchResultItem as SearchItem } from '../../src/modules/directory/application/search/cpts-cards.ts';
export type { SearchCard, SearchSlot, SearchStructure } from '../../src/modules/directory/application/search/search-engine.port.ts';
export type { SearchResultItem as SearchItem } from '../../src/modules/directory/application/search/cpts-cards.ts';

export interface SearchResponse {
  readonly filiere: string;
  readonly items: readonly SearchItem[];
  /** Place cards in this page (the cursor counts them). */
  readonly cards: number;
  readonly nextCursor: string | null;
}

/** Appends a page to the shown results; a CPTS card already shown takes the new page's members of its CPTS. */
export function mergeItems(shown: readonly SearchItem[], page: readonly SearchItem[]): SearchItem[] {
  const out = [...shown];
  for (const item of page) {
    const at = item.kind === 'cpts' ? out.findIndex((x) => x.kind === 'cpts' && x.structure.structureId === item.structure.structureId) : -1;
    const existing = at >= 0 ? out[at] : undefined;
    if (item.kind === 'cpts' && existing?.kind === 'cpts') out[at] = { ...existing, members: [...existing.members, ...item.members] };
    else out.push(item);
  }
  return out;
}

/** A structure's card and a practitioner's card each count as one card; a CPTS card as its members. */
const cardCount = (items: readonly SearchItem[]) => items.reduce((n, i) => n + (i.kind === 'cpts' ? i.members.length : 1), 0);

export const STRUCTURE_KINDS: readonly { readonly id: SearchStructure['kind']; readonly label: string }[] = [
  { id: 'cpts', label: 'CPTS' },
  { id: 'msp', label: 'Maison de santé' },
  { id: 'centre-de-sante', label: 'Centre de santé' },
  { id: 'sos-medecins', label: 'SOS Médecins' },
];

export interface Commune {
  readonly inseeCode: string;
  readonly name: string;
  readonly postcodes: readonly string[];
  readonly departement: string;
}

export interface SlotSelectedDetail {
  /** The practitioner's RPPS; null when the slot is a structure's (an SOS Médecins association's). */
  readonly rpps: string | null;
  /** On a structure's card: the structure (directory id) … */
  readonly structureId?: string;
  /** … and the SIRET its slots are published under. */
  readonly siret?: string;
  readonly slotId: string;
  readonly start: string;
  readonly end: string;
  readonly consultationTypes: readonly string[];
}

export interface PractitionerSelectedDetail {
  readonly rpps: string;
  readonly locationId: string;
}

/** The filières shown before GET /api/directory/filieres answers (and if it cannot): the first definitions. */
export const FILIERES: readonly { readonly id: string; readonly label: string }[] = [
  { id: 'medecine-generale', label: 'Médecine générale' },
  { id: 'chirurgiens-dentistes', label: 'Chirurgiens-dentistes' },
  { id: 'sages-femmes', label: 'Sages-femmes' },
  { id: 'psychiatrie', label: 'Psychiatrie' },
];

export const WINDOWS: readonly string[] = ['0-4', '4-8', '8-12', '12-24', '24-48'];

export const CONSULTATION_TYPES: readonly { readonly id: string; readonly label: string }[] = [
  { id: 'cabinet', label: 'Au cabinet' },
  { id: 'teleconsultation', label: 'Téléconsultation' },
  { id: 'domicile', label: 'À domicile' },
];

const CONSULTATION_LABELS: Record<string, string> = {
  cabinet: 'Au cabinet',
  teleconsultation: 'Téléconsultation',
  domicile: 'À domicile',
};

const CIVILITIES: Record<string, string> = { DR: 'Dr', PR: 'Pr', M: 'M.', MME: 'Mme', MLLE: 'Mlle' };

const TIME_ZONE = 'Europe/Paris';
const dayFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long' });
const dayKeyFormat = new Intl.DateTimeFormat('fr-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const timeFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit' });

/** "Dr Alex Dubois". */
export function displayName(card: Pick<SearchCard, 'civility' | 'givenName' | 'familyName'>): string {
  const civility = card.civility ? (CIVILITIES[card.civility.toUpperCase()] ?? card.civility) : '';
  return [civility, card.givenName, card.familyName].filter(Boolean).join(' ');
}

export function consultationLabel(types: readonly string[]): string {
  return types.map((t) => CONSULTATION_LABELS[t] ?? t).join(', ') || 'Type non précisé';
}

/** How a slot reached the platform, shown discreetly; never used to rank. */
export function sourceLabel(source: string): string {
  return source === 'vendor' ? 'Agenda : éditeur' : source === 'manual' ? 'saisie manuelle' : source;
}

/**
 * Where a vendor slot bookable end to end is booked: the platform's redirect to the vendor's booking page (null for
 * other slots). Opened in a new tab: the search (often embedded in the LRM's page) stays as it is, for the orientation
 * that follows, and the vendor's pages (its Pro Santé Connect login, its agenda) never replace the host page.
 */
export function vendorBookingHref(slot: Pick<SearchSlot, 'slotId' | 'source' | 'bookingMode'>): string | null {
  return slot.source === 'vendor' && slot.bookingMode === 'end-to-end' ? platformUrl(`/api/slots/${encodeURIComponent(slot.slotId)}/vendor-booking`) : null;
}

/** Slots grouped by day in Europe/Paris, in their order. */
export function slotsByDay(slots: readonly SearchSlot[]): { day: string; slots: SearchSlot[] }[] {
  const groups = new Map<string, { day: string; slots: SearchSlot[] }>();
  for (const slot of slots) {
    const date = new Date(slot.start);
    const key = dayKeyFormat.format(date);
    let group = groups.get(key);
    if (!group) {
      const day = dayFormat.format(date);
      group = { day: day.charAt(0).toUpperCase() + day.slice(1), slots: [] };
      groups.set(key, group);
    }
    group.slots.push(slot);
  }
  return [...groups.values()];
}

/** Whose card it is, as said to screen readers next to a slot: the practitioner, or the structure offering the filière. */
function cardTitle(card: SearchCard): string {
  return card.effecteurStructure ? card.effecteurStructure.name : displayName(card);
}

export function structureKindLabel(kind: SearchStructure['kind']): string {
  return STRUCTURE_KINDS.find((k) => k.id === kind)?.label ?? kind;
}

/** The DSFR card of a search result (a practitioner's or a structure's): its title and its description. */
function resultCard(title: unknown, description: unknown): unknown {
  return html`<div class="fr-card fr-card--no-arrow">
    <div class="fr-card__body">
      <div class="fr-card__content">
        <h3 class="fr-card__title">${title}</h3>
        <div class="fr-card__desc">${description}</div>
      </div>
    </div>
  </div>`;
}

function addressLine(card: SearchCard): string {
  const a = card.address;
  const street = [a.streetNumber, a.streetName].filter(Boolean).join(' ');
  const town = [a.postcode, a.commune].filter(Boolean).join(' ');
  return [street, town].filter(Boolean).join(', ');
}

const FALLBACK_PROBLEM: Problem = {
  status: 0,
  title: 'Erreur',
  detail: 'La recherche a échoué : réessayez dans quelques instants.',
  fieldErrors: {},
};

/** GET /api/directory/communes: the communes matching a name, a postcode or an INSEE code (2 characters or more). */
export async function fetchCommunes(q: string, limit = 8): Promise<Commune[]> {
  const { items } = await getJson<{ items: Commune[] }>(`/api/directory/communes?q=${encodeURIComponent(q)}&limit=${limit}`);
  return items;
}

/** The commune of an INSEE code (its name, postcodes, département), or null when the directory does not know it. */
export async function communeByCode(inseeCode: string): Promise<Commune | null> {
  return (await fetchCommunes(inseeCode, 1)).find((c) => c.inseeCode === inseeCode) ?? null;
}

/** A commune as a form holds it: its INSEE code and the name shown. */
export interface CommuneChoice {
  readonly inseeCode: string;
  readonly name: string;
}

export interface CommuneFieldOptions {
  /** The input's id; the hint, the error, the list and its options get ids made from it. */
  readonly id: string;
  readonly label: string;
  readonly hint: string;
  readonly required?: boolean;
}

/**
 * The commune autocomplete of the forms (an ARIA 1.2 combobox with a listbox): from 2 characters it proposes communes
 * (GET /api/directory/communes); ↓/↑ move in the list, Entrée chooses, Échap closes. A Lit reactive controller: the
 * host renders `render()` where the field goes and reads `selected` (null until a commune of the list is chosen).
 * `onChange` is called when the user chooses a commune (with it) or types (null), never for `set()`.
 */
export class CommuneCombobox implements ReactiveController {
  text = '';
  selected: CommuneChoice | null = null;
  suggestions: readonly Commune[] = [];
  open = false;
  activeIndex = -1;
  error: string | null = null;

  private readonly host: ReactiveControllerHost;
  private readonly onChange: (commune: Commune | null) => void;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;

  constructor(host: ReactiveControllerHost, onChange: (commune: Commune | null) => void = () => {}) {
    this.host = host;
    this.onChange = onChange;
    host.addController(this);
  }

  hostDisconnected(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Shows a commune known otherwise (a URL parameter, the record being edited); null with a text shows that text unchosen. */
  set(commune: CommuneChoice | null, text: string = commune?.name ?? ''): void {
    if (this.timer) clearTimeout(this.timer);
    this.seq++;
    this.selected = commune;
    this.text = text;
    this.error = null;
    this.suggestions = [];
    this.close();
  }

  setError(message: string | null): void {
    this.error = message;
    this.host.requestUpdate();
  }

  close(): void {
    this.open = false;
    this.activeIndex = -1;
    this.host.requestUpdate();
  }

  private input(value: string): void {
    this.text = value;
    this.selected = null;
    this.error = null;
    this.onChange(null);
    if (this.timer) clearTimeout(this.timer);
    if (value.trim().length < 2) {
      this.suggestions = [];
      this.close();
      return;
    }
    this.host.requestUpdate();
    this.timer = setTimeout(() => void this.load(value.trim()), 150);
  }

  private async load(q: string): Promise<void> {
    const seq = ++this.seq;
    try {
      const items = await fetchCommunes(q, 8);
      if (seq !== this.seq) return;
      this.suggestions = items;
      this.open = items.length > 0;
      this.activeIndex = -1;
    } catch (e) {
      if (seq !== this.seq) return;
      this.suggestions = [];
      this.open = false;
      this.error = e instanceof ApiError ? e.problem.detail : 'Impossible de proposer des communes.';
    }
    this.host.requestUpdate();
  }

  private select(commune: Commune): void {
    this.selected = { inseeCode: commune.inseeCode, name: commune.name };
    this.text = commune.name;
    this.error = null;
    this.onChange(commune);
    this.close();
  }

  private keydown(event: KeyboardEvent): void {
    const count = this.suggestions.length;
    switch (event.key) {
      case 'ArrowDown':
        if (!count) return;
        event.preventDefault();
        this.open = true;
        this.activeIndex = (this.activeIndex + 1) % count;
        this.host.requestUpdate();
        break;
      case 'ArrowUp':
        if (!count) return;
        event.preventDefault();
        this.open = true;
        this.activeIndex = this.activeIndex <= 0 ? count - 1 : this.activeIndex - 1;
        this.host.requestUpdate();
        break;
      case 'Enter':
        if (this.open && this.activeIndex >= 0 && this.suggestions[this.activeIndex]) {
          event.preventDefault();
          this.select(this.suggestions[this.activeIndex]!);
        }
        break;
      case 'Escape':
        if (this.open) {
          event.preventDefault();
          this.close();
        }
        break;
      default:
        break;
    }
  }

  private blur(): void {
    // Let a click on an option land before closing.
    setTimeout(() => this.close(), 150);
  }

  render(o: CommuneFieldOptions): TemplateResult {
    const hintId = `${o.id}-hint`;
    const errorId = `${o.id}-error`;
    const listboxId = `${o.id}s`;
    const optionId = (i: number) => `${o.id}-${i}`;
    const open = this.open && this.suggestions.length > 0;
    return html`<div class="fr-input-group sas-combobox ${this.error ? 'fr-input-group--error' : ''}">
      <label class="fr-label" for=${o.id}>
        ${o.label}
        <span class="fr-hint-text" id=${hintId}>${o.hint}</span>
      </label>
      <input
        class="fr-input ${this.error ? 'fr-input--error' : ''}"
        id=${o.id}
        type="text"
        role="combobox"
        autocomplete="off"
        aria-autocomplete="list"
        aria-expanded=${open ? 'true' : 'false'}
        aria-controls=${listboxId}
        aria-activedescendant=${open && this.activeIndex >= 0 ? optionId(this.activeIndex) : nothing}
        aria-describedby=${this.error ? `${hintId} ${errorId}` : hintId}
        aria-invalid=${this.error ? 'true' : nothing}
        ?required=${o.required ?? false}
        .value=${this.text}
        @input=${(e: Event) => this.input((e.target as HTMLInputElement).value)}
        @keydown=${(e: KeyboardEvent) => this.keydown(e)}
        @blur=${() => this.blur()}
      />
      <ul
        class="sas-combobox__list"
        id=${listboxId}
        role="listbox"
        aria-label="Communes proposées"
        ?hidden=${!open}
        style="list-style:none;margin:0;padding:0;border:1px solid var(--border-default-grey);background:var(--background-default-grey);max-height:16rem;overflow:auto"
      >
        ${open
          ? this.suggestions.map(
              (c, i) => html`<li
                id=${optionId(i)}
                role="option"
                aria-selected=${i === this.activeIndex ? 'true' : 'false'}
                class="fr-p-1w"
                style=${i === this.activeIndex ? 'background:var(--background-action-low-blue-france);cursor:pointer' : 'cursor:pointer'}
                @mousedown=${(e: Event) => e.preventDefault()}
                @click=${() => this.select(c)}
              >
                ${c.name} (${c.postcodes.join(', ') || c.departement})
              </li>`,
            )
          : nothing}
      </ul>
      ${this.error ? html`<p class="fr-error-text" id=${errorId}>${this.error}</p>` : nothing}
    </div>`;
  }
}

let instances = 0;

export class SasSearch extends LitElement {
  static override properties = {
    inseecode: { type: String },
    city: { type: String },
    specialty: { type: String },
    filiere: { type: String },
    practitioner: { type: String },
    lat: { type: String },
    lon: { type: String },
    radiusKm: { type: String, attribute: 'radius-km' },
    selectedFiliere: { state: true },
    within: { state: true },
    consultationType: { state: true },
    nameFilter: { state: true },
    filieres: { state: true },
    structureKind: { state: true },
    enSus: { state: true },
    sector: { state: true },
    ofStructure: { state: true },
    items: { state: true },
    nextCursor: { state: true },
    loading: { state: true },
    problem: { state: true },
  };

  declare inseecode: string | null;
  declare city: string | null;
  declare specialty: string | null;
  declare filiere: string | null;
  declare practitioner: string | null;
  declare lat: string | null;
  declare lon: string | null;
  declare radiusKm: string | null;
  declare selectedFiliere: string;
  declare within: string | null;
  declare consultationType: string | null;
  declare nameFilter: string;
  /** The filières of the platform (their definition files), loaded once. */
  declare filieres: readonly { readonly id: string; readonly label: string }[];
  declare structureKind: string | null;
  /** Only participants accepting patients "en sus" of their availability. */
  declare enSus: boolean;
  declare sector: string | null;
  /** "Voir tous les professionnels de la CPTS": the structure whose members are listed instead of the place search. */
  declare ofStructure: SearchStructure | null;
  declare items: readonly SearchItem[] | null;
  declare nextCursor: string | null;
  declare loading: boolean;
  declare problem: Problem | null;

  private readonly uid = `sas-search-${++instances}`;
  /** The commune of the search; choosing or typing another drops the point given with the commune. */
  private readonly communeField = new CommuneCombobox(this, () => {
    this.point = null;
  });
  private searchSeq = 0;
  /** The point given with the commune (lat/lon attributes), dropped as soon as another commune is chosen. */
  private point: { lat: string; lon: string; radiusKm: string | null } | null = null;
  /** The parameters of the search shown (without cursor), reused by "Voir plus". */
  private lastParams: URLSearchParams | null = null;

  constructor() {
    super();
    this.inseecode = null;
    this.city = null;
    this.specialty = null;
    this.filiere = null;
    this.practitioner = null;
    this.lat = null;
    this.lon = null;
    this.radiusKm = null;
    this.selectedFiliere = FILIERES[0]!.id;
    this.within = null;
    this.consultationType = null;
    this.nameFilter = '';
    this.filieres = FILIERES;
    this.structureKind = null;
    this.enSus = false;
    this.sector = null;
    this.ofStructure = null;
    this.items = null;
    this.nextCursor = null;
    this.loading = false;
    this.problem = null;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadFilieres();
  }

  private async loadFilieres(): Promise<void> {
    try {
      const { items } = await getJson<{ items: { id: string; label: string }[] }>('/api/directory/filieres');
      if (items.length > 0) {
        this.filieres = items;
        const wanted = this.filiere || this.specialty;
        if (wanted && items.some((f) => f.id === wanted)) this.selectedFiliere = wanted;
      }
    } catch {
      // The built-in list stays: the search itself reports what is wrong.
    }
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('filiere') || changed.has('specialty')) {
      const wanted = this.filiere || this.specialty;
      if (wanted && this.filieres.some((f) => f.id === wanted)) this.selectedFiliere = wanted;
    }
    if (changed.has('city') && this.city && !this.communeField.selected) this.communeField.text = this.city;
    if ((changed.has('lat') || changed.has('lon') || changed.has('radiusKm')) && this.lat && this.lon) {
      this.point = { lat: this.lat, lon: this.lon, radiusKm: this.radiusKm };
    }
    if (changed.has('inseecode') && this.inseecode) {
      const inseeCode = this.inseecode.trim().toUpperCase();
      const name = this.city || inseeCode;
      this.communeField.set({ inseeCode, name });
      if (!this.city) void this.resolveCommuneName(inseeCode);
      void this.search();
    }
  }

  /** Shows the commune's name when only its INSEE code was given. */
  private async resolveCommuneName(inseeCode: string): Promise<void> {
    try {
      const found = await communeByCode(inseeCode);
      if (found && this.communeField.selected?.inseeCode === inseeCode) this.communeField.set({ inseeCode, name: found.name });
    } catch {
      // The code alone stays displayed.
    }
  }

  // ---- search ----

  private params(): URLSearchParams {
    const p = new URLSearchParams();
    p.set('filiere', this.selectedFiliere);
    if (this.specialty && !this.filieres.some((f) => f.id === this.specialty)) p.set('specialty', this.specialty);
    if (this.ofStructure) {
      p.set('structure', this.ofStructure.structureId);
    } else if (this.point) {
      p.set('lat', this.point.lat);
      p.set('lon', this.point.lon);
      if (this.point.radiusKm) p.set('radiusKm', this.point.radiusKm);
    } else {
      p.set('around', this.communeField.selected!.inseeCode);
    }
    if (this.within) p.set('disponibleSous', this.within);
    if (this.consultationType) p.set('consultationType', this.consultationType);
    const name = this.nameFilter.trim();
    if (name.length >= 2) p.set('name', name);
    if (this.practitioner) p.set('medecinTraitant', this.practitioner.trim());
    if (this.structureKind) p.set('structureKind', this.structureKind);
    if (this.enSus) p.set('enSus', 'true');
    if (this.sector) p.set('secteur', this.sector);
    p.set('limit', '10');
    return p;
  }

  /** Runs a new search (more = false) or fetches the next page. */
  async search(more = false): Promise<void> {
    if (!this.communeField.selected) {
      this.communeField.setError('Choisissez une commune dans la liste proposée.');
      return;
    }
    const params = more && this.lastParams ? new URLSearchParams(this.lastParams) : this.params();
    if (!more) this.lastParams = new URLSearchParams(params);
    if (more && this.nextCursor) params.set('cursor', this.nextCursor);
    const seq = ++this.searchSeq;
    this.loading = true;
    this.problem = null;
    try {
      const response = await getJson<SearchResponse>(`/api/search?${params.toString()}`);
      if (seq !== this.searchSeq) return;
      this.items = more && this.items ? mergeItems(this.items, response.items) : response.items;
      this.nextCursor = response.nextCursor;
    } catch (e) {
      if (seq !== this.searchSeq) return;
      this.problem = e instanceof ApiError ? e.problem : FALLBACK_PROBLEM;
      if (!more) {
        this.items = null;
        this.nextCursor = null;
      }
    } finally {
      if (seq === this.searchSeq) this.loading = false;
    }
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    this.communeField.close();
    this.ofStructure = null;
    void this.search();
  }

  /** Lists every member of a CPTS (wherever they practise), until the regulator goes back to the place search. */
  private showStructure(structure: SearchStructure | null): void {
    this.ofStructure = structure;
    void this.search();
  }

  /** Filters apply at once once a search was shown. */
  private refine(): void {
    if (this.items !== null && this.communeField.selected) void this.search();
  }

  private toggleWindow(value: string): void {
    this.within = this.within === value ? null : value;
    this.refine();
  }

  private toggleConsultationType(value: string): void {
    this.consultationType = this.consultationType === value ? null : value;
    this.refine();
  }

  private selectSlot(card: SearchCard, slot: SearchSlot): void {
    // On a structure's card `rpps` holds its SIRET: it is said as such, never passed off as an RPPS.
    const who = card.effecteurStructure ? { rpps: null, structureId: card.effecteurStructure.structureId, siret: card.rpps } : { rpps: card.rpps };
    const detail: SlotSelectedDetail = {
      ...who,
      slotId: slot.slotId,
      start: slot.start,
      end: slot.end,
      consultationTypes: slot.consultationTypes,
    };
    this.dispatchEvent(new CustomEvent<SlotSelectedDetail>('sas-slot-selected', { detail, bubbles: true, composed: true }));
  }

  private selectPractitioner(card: SearchCard): void {
    const detail: PractitionerSelectedDetail = { rpps: card.rpps, locationId: card.locationId };
    this.dispatchEvent(new CustomEvent<PractitionerSelectedDetail>('sas-practitioner-selected', { detail, bubbles: true, composed: true }));
  }

  // ---- rendering ----

  private renderCommuneField(): unknown {
    return this.communeField.render({
      id: `${this.uid}-commune`,
      label: 'Commune du patient',
      hint: 'Nom, code postal ou code INSEE ; choisissez ensuite une commune dans la liste.',
    });
  }

  private renderFilters(): unknown {
    const filiereId = `${this.uid}-filiere`;
    const nameId = `${this.uid}-name`;
    return html`<form class="fr-mb-4w" role="search" aria-label="Rechercher un professionnel de santé" @submit=${(e: Event) => this.onSubmit(e)}>
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-6">${this.renderCommuneField()}</div>
        <div class="fr-col-12 fr-col-md-6">
          <div class="fr-select-group">
            <label class="fr-label" for=${filiereId}>Filière</label>
            <select
              class="fr-select"
              id=${filiereId}
              @change=${(e: Event) => {
                this.selectedFiliere = (e.target as HTMLSelectElement).value;
                this.refine();
              }}
            >
              ${this.filieres.map((f) => html`<option value=${f.id} ?selected=${f.id === this.selectedFiliere}>${f.label}</option>`)}
            </select>
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-6">
          <div class="fr-select-group">
            <label class="fr-label" for=${`${this.uid}-structure`}>Exercice en structure</label>
            <select
              class="fr-select"
              id=${`${this.uid}-structure`}
              @change=${(e: Event) => {
                this.structureKind = (e.target as HTMLSelectElement).value || null;
                this.refine();
              }}
            >
              <option value="" ?selected=${!this.structureKind}>Toutes les structures ou aucune</option>
              ${STRUCTURE_KINDS.map((k) => html`<option value=${k.id} ?selected=${k.id === this.structureKind}>${k.label}</option>`)}
            </select>
          </div>
        </div>
      </div>
      <fieldset class="fr-fieldset fr-mt-2w">
        <legend class="fr-fieldset__legend fr-text--regular">Disponible sous</legend>
        <ul class="fr-tags-group">
          ${WINDOWS.map(
            (w) => html`<li>
              <button type="button" class="fr-tag" aria-pressed=${this.within === w ? 'true' : 'false'} @click=${() => this.toggleWindow(w)}>
                <span class="fr-sr-only">Disponible sous </span>${w} h
              </button>
            </li>`,
          )}
        </ul>
      </fieldset>
      <fieldset class="fr-fieldset">
        <legend class="fr-fieldset__legend fr-text--regular">Participation au SAS</legend>
        <ul class="fr-tags-group">
          <li>
            <button
              type="button"
              class="fr-tag"
              aria-pressed=${this.enSus ? 'true' : 'false'}
              @click=${() => {
                this.enSus = !this.enSus;
                this.refine();
              }}
            >
              Accepte des patients en sus
            </button>
          </li>
          ${['1', '2', '3'].map(
            (sector) => html`<li>
              <button
                type="button"
                class="fr-tag"
                aria-pressed=${this.sector === sector ? 'true' : 'false'}
                @click=${() => {
                  this.sector = this.sector === sector ? null : sector;
                  this.refine();
                }}
              >
                Secteur ${sector}
              </button>
            </li>`,
          )}
        </ul>
      </fieldset>
      <fieldset class="fr-fieldset">
        <legend class="fr-fieldset__legend fr-text--regular">Type de consultation</legend>
        <ul class="fr-tags-group">
          ${CONSULTATION_TYPES.map(
            (c) => html`<li>
              <button
                type="button"
                class="fr-tag"
                aria-pressed=${this.consultationType === c.id ? 'true' : 'false'}
                @click=${() => this.toggleConsultationType(c.id)}
              >
                ${c.label}
              </button>
            </li>`,
          )}
        </ul>
      </fieldset>
      <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div class="fr-col-12 fr-col-md-6">
          <div class="fr-input-group fr-mb-0">
            <label class="fr-label" for=${nameId}>
              Nom du professionnel (facultatif)
              <span class="fr-hint-text">Au moins 2 caractères.</span>
            </label>
            <input
              class="fr-input"
              id=${nameId}
              type="text"
              autocomplete="off"
              .value=${this.nameFilter}
              @input=${(e: Event) => (this.nameFilter = (e.target as HTMLInputElement).value)}
            />
          </div>
        </div>
        <div class="fr-col-12 fr-col-md-6">
          <button class="fr-btn fr-icon-search-line fr-btn--icon-left" type="submit">Rechercher</button>
        </div>
      </div>
    </form>`;
  }

  private renderSlots(card: SearchCard): unknown {
    if (card.slots.length === 0) return html`<p class="fr-text--sm fr-mb-0">Aucun créneau disponible dans les 48 heures.</p>`;
    const who = cardTitle(card);
    return html`<div class="sas-slots">
      <p class="fr-text--sm fr-text--bold fr-mb-1w">Prochains créneaux</p>
      ${slotsByDay(card.slots).map(
        (group) => html`<div class="fr-mb-2w">
          <p class="fr-text--sm fr-mb-1v">${group.day}</p>
          <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
            ${group.slots.map(
              (slot) => html`<li>
                <button
                  type="button"
                  class="fr-btn fr-btn--secondary fr-btn--sm"
                  data-slot-id=${slot.slotId}
                  @click=${() => this.selectSlot(card, slot)}
                >
                  ${timeFormat.format(new Date(slot.start))} – ${consultationLabel(slot.consultationTypes)}<span class="fr-sr-only">
                    , ${group.day}, ${who}</span
                  >
                </button>
                <span class="fr-hint-text fr-text--xs">${sourceLabel(slot.source)}</span>
                ${this.renderVendorBooking(slot, `${timeFormat.format(new Date(slot.start))}, ${group.day}, ${who}`)}
                ${slot.stale
                  ? html`<p class="fr-badge fr-badge--warning fr-badge--sm fr-badge--no-icon" title="L’éditeur n’a pas confirmé ce créneau récemment : vérifiez-le par téléphone.">
                      Disponibilité non confirmée
                    </p>`
                  : nothing}
              </li>`,
            )}
          </ul>
        </div>`,
      )}
    </div>`;
  }

  /** A vendor slot: the link to book it at the vendor (end to end), or the reminder to call (aggregation only). */
  private renderVendorBooking(slot: SearchSlot, label: string): unknown {
    const href = vendorBookingHref(slot);
    if (href) {
      return html`<a
        class="fr-link fr-link--sm"
        href=${href}
        target="_blank"
        rel="noopener noreferrer"
        title=${`Réserver chez l’éditeur, ${label} - nouvelle fenêtre`}
        data-vendor-booking=${slot.slotId}
        >Réserver chez l’éditeur</a
      >`;
    }
    if (slot.source === 'vendor' && slot.bookingMode === 'phone') {
      return html`<span class="fr-hint-text fr-text--xs">Réservation par téléphone auprès du cabinet</span>`;
    }
    return nothing;
  }

  /** The "Participe au SAS" badges, if the card's effecteur (practitioner or structure) declared a participation. */
  private renderParticipation(card: SearchCard): unknown {
    return card.participation
      ? html`<ul class="fr-badges-group fr-mb-1w">
          <li><p class="fr-badge fr-badge--blue-ecume fr-badge--sm">Participe au SAS</p></li>
          ${card.participation.acceptsEnSus ? html`<li><p class="fr-badge fr-badge--sm">Accepte des patients en sus</p></li>` : nothing}
          ${card.participation.conventionSector ? html`<li><p class="fr-badge fr-badge--sm">Secteur ${card.participation.conventionSector}</p></li>` : nothing}
        </ul>`
      : nothing;
  }

  /** Address, distance and the phone for the regulation. */
  private renderPlace(card: SearchCard, phone: string | null): unknown {
    const address = addressLine(card);
    return html`${address ? html`<p class="fr-mb-1v"><span class="fr-icon-map-pin-2-line fr-icon--sm fr-mr-1v" aria-hidden="true"></span>${address}</p>` : nothing}
      ${card.distanceKm !== null && card.distanceKm !== undefined
        ? html`<p class="fr-mb-1v fr-text--sm">
            ${card.distanceKm < 0.1 ? 'À moins de 0,1 km' : `À ${card.distanceKm.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`}
          </p>`
        : nothing}
      ${phone
        ? html`<p class="fr-mb-2w">
            <span class="fr-icon-phone-line fr-icon--sm fr-mr-1v" aria-hidden="true"></span>Téléphone pour la régulation :
            <a href=${`tel:${phone.replace(/\s+/g, '')}`}>${phone}</a>
          </p>`
        : nothing}`;
  }

  /**
   * The card of a structure offering the filière itself (an SOS Médecins association): its name (a title, not a
   * practitioner's link: there is no practitioner to open), its kind, its place and phone, and its slots as a
   * practitioner's — choosing one emits `sas-slot-selected` with the structure and its SIRET, `rpps` null.
   */
  private renderStructureCard(card: Extract<SearchItem, { kind: 'structure' }>): unknown {
    const structure = card.effecteurStructure;
    // The server always sets it on such an item; a card without it is still shown, under the place's name.
    const name = structure?.name ?? card.structure ?? '';
    return html`<li class="fr-mb-3w" data-structure=${structure?.structureId ?? card.locationId} data-group=${card.group}>
      ${resultCard(
        name,
        html`${structure ? html`<p class="fr-badge fr-badge--purple-glycine fr-badge--sm fr-mb-1w">${structureKindLabel(structure.kind)}</p>` : nothing}
        ${this.renderParticipation(card)} ${this.renderPlace(card, card.phone ?? structure?.phone ?? null)} ${this.renderSlots(card)}`,
      )}
    </li>`;
  }

  private renderCard(card: SearchCard): unknown {
    return html`<li class="fr-mb-3w" data-rpps=${card.rpps} data-group=${card.group}>
      ${resultCard(
        html`<button type="button" class="fr-link fr-text--lead" style="text-align:left" @click=${() => this.selectPractitioner(card)}>
          ${displayName(card)}
        </button>`,
        html`${card.group === 'medecin-traitant' ? html`<p class="fr-badge fr-badge--green-emeraude fr-badge--sm fr-mb-1w">Médecin traitant</p>` : nothing}
        ${this.renderParticipation(card)}
        <p class="fr-mb-1v">${card.specialty ?? 'Spécialité non renseignée'}${card.structure ? html` — ${card.structure}` : nothing}</p>
        ${this.renderPlace(card, card.phone)} ${this.renderSlots(card)}`,
      )}
    </li>`;
  }

  private renderCpts(item: Extract<SearchItem, { kind: 'cpts' }>): unknown {
    const titleId = `${this.uid}-cpts-${item.structure.structureId}`;
    return html`<li class="fr-mb-3w" data-cpts=${item.structure.structureId}>
      <section class="fr-p-2w" aria-labelledby=${titleId} style="border:1px solid var(--border-default-blue-france);background:var(--background-alt-blue-france)">
        <p class="fr-badge fr-badge--info fr-badge--sm fr-mb-1w">CPTS</p>
        <h3 class="fr-h5 fr-mb-1w" id=${titleId}>${item.structure.name}</h3>
        ${item.structure.phone
          ? html`<p class="fr-mb-1w">
              <span class="fr-icon-phone-line fr-icon--sm fr-mr-1v" aria-hidden="true"></span>Point de contact de la CPTS :
              <a href=${`tel:${item.structure.phone.replace(/\s+/g, '')}`}>${item.structure.phone}</a>
            </p>`
          : nothing}
        <p class="fr-text--sm fr-mb-2w">${item.members.length} professionnel${item.members.length > 1 ? 's' : ''} de la CPTS dans ces résultats</p>
        <ul style="list-style:none;padding:0" aria-label=${`Professionnels de ${item.structure.name}`}>${item.members.map((card) => this.renderCard(card))}</ul>
        ${this.ofStructure?.structureId === item.structure.structureId
          ? nothing
          : html`<button type="button" class="fr-btn fr-btn--secondary fr-btn--sm" @click=${() => this.showStructure(item.structure)}>
              Voir tous les professionnels de la CPTS
            </button>`}
      </section>
    </li>`;
  }

  private renderResults(): unknown {
    const items = this.items;
    const busy = this.loading;
    const titleId = `${this.uid}-results-title`;
    return html`<section aria-labelledby=${titleId} aria-busy=${busy ? 'true' : 'false'} class="sas-search-results">
      <h2 id=${titleId} class="fr-h4">Résultats</h2>
      <p role="status" class="fr-text--sm">
        ${busy
          ? html`<span class="fr-icon-refresh-line fr-icon--sm fr-mr-1v" aria-hidden="true"></span>Recherche en cours…`
          : items === null
            ? ''
            : items.length === 0
              ? ''
              : `${cardCount(items)} professionnel${cardCount(items) > 1 ? 's' : ''} affiché${cardCount(items) > 1 ? 's' : ''}`}
      </p>
      ${this.ofStructure
        ? html`<div class="fr-notice fr-notice--info fr-mb-2w">
            <div class="fr-container">
              <div class="fr-notice__body">
                <p class="fr-notice__title">Tous les professionnels de ${this.ofStructure.name}</p>
                <button type="button" class="fr-btn fr-btn--tertiary fr-btn--sm fr-mt-1w" @click=${() => this.showStructure(null)}>
                  Revenir à la recherche autour de la commune
                </button>
              </div>
            </div>
          </div>`
        : nothing}
      ${this.problem
        ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
            <h3 class="fr-alert__title">${this.problem.title}</h3>
            <p>${this.problem.detail}</p>
            ${this.problem.status === 401
              ? html`<p>
                  <a href=${platformUrl(loginHref('/recherche'))} target="_blank" rel="noopener" title="Se connecter au SAS - nouvelle fenêtre">Se connecter au SAS</a>
                  puis relancez la recherche.
                </p>`
              : nothing}
          </div>`
        : nothing}
      ${items === null
        ? busy || this.problem
          ? nothing
          : html`<p>Choisissez la commune du patient puis lancez la recherche.</p>`
        : items.length === 0
          ? busy
            ? nothing
            : html`<div class="fr-notice fr-notice--info sas-search-empty">
                <div class="fr-container">
                  <div class="fr-notice__body">
                    <p class="fr-notice__title">
                      Aucun professionnel ne correspond à votre recherche. Élargissez la plage de disponibilité ou retirez un
                      filtre.
                    </p>
                  </div>
                </div>
              </div>`
          : html`<ul class="sas-search-list" style="list-style:none;padding:0">
                ${items.map((item) =>
                  item.kind === 'cpts' ? this.renderCpts(item) : item.kind === 'structure' ? this.renderStructureCard(item) : this.renderCard(item),
                )}
              </ul>
              ${this.nextCursor
                ? html`<button type="button" class="fr-btn fr-btn--tertiary" ?disabled=${busy} @click=${() => void this.search(true)}>
                    Voir plus
                  </button>`
                : nothing}`}
    </section>`;
  }

  override render(): unknown {
    return html`${this.renderFilters()} ${this.renderResults()}`;
  }
}

if (!customElements.get('sas-search')) customElements.define('sas-search', SasSearch);

declare global {
  interface HTMLElementTagNameMap {
    'sas-search': SasSearch;
  }
  interface HTMLElementEventMap {
    'sas-slot-selected': CustomEvent<SlotSelectedDetail>;
    'sas-practitioner-selected': CustomEvent<PractitionerSelectedDetail>;
  }
}
