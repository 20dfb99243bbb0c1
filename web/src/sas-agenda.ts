/**
 * <sas-agenda rpps="…">: an effecteur's manual agenda (issue #5) over `/api/agendas/{rpps}` — a week view (day columns
 * Monday → Sunday in Europe/Paris, hour rows, occurrences placed by their civil time, ranges with their places left,
 * booked occurrences shown and locked), previous / next week and "Aujourd'hui", a dialog to create a slot or a range
 * of N patients (one-off or weekly on chosen weekdays until a date), a dialog to modify or delete one occurrence or its
 * whole series, and the unavailability panel (up to three dated periods and the indefinite switch).
 * Server refusals (overlap, booked, validation) are shown next to the form, in French, the form keeping its input.
 * Emits `sas-agenda-changed` (bubbling, composed) after each change it made.
 */
import { LitElement, html, nothing } from 'lit';
import { ApiError, getJson, postJson, sendJson, type Problem } from './api.ts';
import { CONSULTATION_TYPES, consultationLabel } from './sas-search.ts';

export interface AgendaOccurrence {
  readonly occurrenceId: string;
  readonly slotId: string;
  readonly seriesId: string | null;
  readonly kind: 'slot' | 'range';
  readonly date: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly start: string;
  readonly end: string;
  readonly capacity: number;
  readonly remainingPlaces: number;
  readonly booked: boolean;
  readonly consultationTypes: readonly string[];
  readonly hiddenByUnavailability: boolean;
}

export interface AgendaSeries {
  readonly seriesId: string;
  readonly kind: 'slot' | 'range';
  readonly capacity: number;
  readonly startTime: string;
  readonly endTime: string;
  readonly consultationTypes: readonly string[];
  readonly firstDate: string;
  readonly weekdays: readonly string[];
  readonly until: string;
  readonly excludedDates: readonly string[];
}

export interface UnavailabilityPeriod {
  readonly periodId: string;
  readonly fromDate: string;
  readonly toDate: string;
}

export interface AgendaWeek {
  readonly effecteurId: string;
  readonly from: string;
  readonly to: string;
  readonly revision: number;
  readonly occurrences: readonly AgendaOccurrence[];
  readonly series: readonly AgendaSeries[];
  readonly unavailabilities: readonly UnavailabilityPeriod[];
  readonly indefinitelyUnavailable: boolean;
}

export interface AgendaChangedDetail {
  readonly rpps: string;
  readonly action: string;
}

/** Weekdays as the API names them, Monday first, with their French names. */
export const WEEKDAYS: readonly { readonly id: string; readonly short: string; readonly label: string }[] = [
  { id: 'MO', short: 'Lun', label: 'Lundi' },
  { id: 'TU', short: 'Mar', label: 'Mardi' },
  { id: 'WE', short: 'Mer', label: 'Mercredi' },
  { id: 'TH', short: 'Jeu', label: 'Jeudi' },
  { id: 'FR', short: 'Ven', label: 'Vendredi' },
  { id: 'SA', short: 'Sam', label: 'Samedi' },
  { id: 'SU', short: 'Dim', label: 'Dimanche' },
];

// ——— Civil dates (YYYY-MM-DD) in Europe/Paris; arithmetic on UTC midnights, so no DST change moves a day ———

const parisDateFormat = new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
const civil = (date: string) => new Date(`${date}T00:00:00Z`);
const dayHeadFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
const dayLongFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' });
const dateLongFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const dateFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

/** Today's civil date in Paris. */
export function parisToday(now: Date = new Date()): string {
  return parisDateFormat.format(now);
}

export function addDays(date: string, days: number): string {
  const d = civil(date);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week holding `date`. */
export function mondayOf(date: string): string {
  return addDays(date, -((civil(date).getUTCDay() + 6) % 7));
}

/** The API's weekday code (MO…SU) of a civil date. */
export function weekdayOf(date: string): string {
  return WEEKDAYS[(civil(date).getUTCDay() + 6) % 7]!.id;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const longDate = (date: string) => capitalize(dateLongFormat.format(civil(date)));
const shortDate = (date: string) => dateFormat.format(civil(date));
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** "Plage de 14:00 à 16:00, 3 places restantes sur 4" — what an occurrence is, in words. */
export function describeOccurrence(o: AgendaOccurrence): string {
  const what = o.kind === 'range' ? `Plage de ${o.startTime} à ${o.endTime}` : `Créneau de ${o.startTime} à ${o.endTime}`;
  const places = o.kind === 'range' ? `, ${placesLabel(o)}` : '';
  return `${what}${places}, ${consultationLabel(o.consultationTypes).toLowerCase()}`;
}

function placesLabel(o: AgendaOccurrence): string {
  return `${o.remainingPlaces} place${o.remainingPlaces > 1 ? 's' : ''} restante${o.remainingPlaces > 1 ? 's' : ''} sur ${o.capacity}`;
}

// ——— The form of the create / edit dialog ———

interface AvailabilityForm {
  kind: 'slot' | 'range';
  patients: string;
  date: string;
  startTime: string;
  endTime: string;
  types: string[];
  recurring: boolean;
  weekdays: string[];
  until: string;
}

type Dialog =
  | { readonly mode: 'create' }
  | { readonly mode: 'edit'; readonly occurrence: AgendaOccurrence; readonly scope: 'occurrence' | 'series'; readonly confirmDelete: boolean };

const FALLBACK: Problem = { status: 0, title: 'Erreur', detail: 'L’opération a échoué : réessayez dans quelques instants.', fieldErrors: {} };
const problemOf = (e: unknown): Problem => (e instanceof ApiError ? e.problem : FALLBACK);

/** Height of one hour row, in rem. */
const HOUR_REM = 4;

const STYLES = `
sas-agenda .sas-agenda__toolbar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
sas-agenda .sas-agenda__scroll{overflow-x:auto}
sas-agenda .sas-agenda__grid{display:grid;grid-template-columns:3.5rem repeat(7,minmax(7.5rem,1fr));min-width:58rem;border-top:1px solid var(--border-default-grey)}
sas-agenda .sas-agenda__head{padding:.5rem .25rem;border-bottom:1px solid var(--border-default-grey);border-left:1px solid var(--border-default-grey);text-align:center;min-height:4.5rem}
sas-agenda .sas-agenda__head h3{font-size:.875rem;line-height:1.25rem;margin:0}
sas-agenda .sas-agenda__head[data-today] h3{color:var(--text-action-high-blue-france)}
sas-agenda .sas-agenda__hours{position:relative}
sas-agenda .sas-agenda__hour{height:${HOUR_REM}rem;font-size:.75rem;text-align:right;padding-right:.25rem;color:var(--text-mention-grey);border-top:1px solid var(--border-default-grey);box-sizing:border-box}
sas-agenda .sas-agenda__day{position:relative;list-style:none;margin:0;padding:0;border-left:1px solid var(--border-default-grey);
  background-image:repeating-linear-gradient(to bottom,var(--border-default-grey) 0,var(--border-default-grey) 1px,transparent 1px,transparent ${HOUR_REM}rem)}
sas-agenda .sas-agenda__day[data-unavailable]{background-color:var(--background-alt-grey)}
sas-agenda .sas-agenda__day>li{position:absolute;left:.125rem;right:.125rem;margin:0;padding:0}
sas-agenda .sas-agenda__occ{display:flex;flex-direction:column;justify-content:flex-start;align-items:flex-start;width:100%;height:100%;overflow:hidden;text-align:left;font-size:.75rem;line-height:1rem;padding:.125rem .25rem;border-radius:.25rem;
  border:1px solid var(--border-action-high-blue-france);background:var(--background-action-low-blue-france);color:var(--text-default-grey);box-sizing:border-box}
sas-agenda button.sas-agenda__occ{cursor:pointer}
sas-agenda button.sas-agenda__occ:hover{background:var(--background-action-low-blue-france-hover)}
sas-agenda .sas-agenda__occ[data-kind=range]{border-color:var(--border-plain-green-emeraude);background:var(--background-contrast-green-emeraude)}
sas-agenda .sas-agenda__occ[data-booked]{border-style:dashed;border-color:var(--border-default-grey);background:var(--background-contrast-grey)}
sas-agenda .sas-agenda__occ[data-hidden]{opacity:.85;border-style:dotted}
sas-agenda .sas-agenda__occ:focus-visible,sas-agenda .sas-agenda__day>li:focus-within{z-index:2}
sas-agenda .sas-agenda__occ strong{display:block}
sas-agenda .sas-agenda__occ[data-compact]{flex-direction:row;flex-wrap:nowrap;white-space:nowrap;gap:.25rem;align-items:center}
sas-agenda .sas-agenda__occ[data-compact] strong{display:inline}
sas-agenda dialog.fr-modal{max-width:none;max-height:none;width:100%;height:100%}
sas-agenda dialog.fr-modal::backdrop{background:transparent}
`;

let instances = 0;

export class SasAgenda extends LitElement {
  static override properties = {
    rpps: { type: String },
    from: { state: true },
    week: { state: true },
    loading: { state: true },
    loadProblem: { state: true },
    status: { state: true },
    dialog: { state: true },
    form: { state: true },
    formProblem: { state: true },
    saving: { state: true },
    unavailFrom: { state: true },
    unavailTo: { state: true },
    unavailProblem: { state: true },
  };

  declare rpps: string | null;
  declare from: string;
  declare week: AgendaWeek | null;
  declare loading: boolean;
  declare loadProblem: Problem | null;
  declare status: string;
  declare dialog: Dialog | null;
  declare form: AvailabilityForm;
  declare formProblem: Problem | null;
  declare saving: boolean;
  declare unavailFrom: string;
  declare unavailTo: string;
  declare unavailProblem: Problem | null;

  private readonly uid = `sas-agenda-${++instances}`;
  private loadSeq = 0;
  private loadedFor: string | null = null;
  /** The element that opened the dialog: focus goes back to it (or to the week's title) when the dialog closes. */
  private opener: HTMLElement | null = null;
  private focusAfterClose = false;

  constructor() {
    super();
    this.rpps = null;
    this.from = mondayOf(parisToday());
    this.week = null;
    this.loading = false;
    this.loadProblem = null;
    this.status = '';
    this.dialog = null;
    this.form = this.emptyForm(parisToday());
    this.formProblem = null;
    this.saving = false;
    this.unavailFrom = '';
    this.unavailTo = '';
    this.unavailProblem = null;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Light DOM (the page's DSFR styles apply): the component's own rules go once into the document.
    if (!document.getElementById('sas-agenda-styles')) {
      const style = document.createElement('style');
      style.id = 'sas-agenda-styles';
      style.textContent = STYLES;
      document.head.append(style);
    }
  }

  private get base(): string {
    return `/api/agendas/${encodeURIComponent(this.rpps ?? '')}`;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if ((changed.has('rpps') || changed.has('from')) && this.rpps && `${this.rpps}|${this.from}` !== this.loadedFor) {
      if (changed.has('rpps') && this.loadedFor && !this.loadedFor.startsWith(`${this.rpps}|`)) this.week = null;
      void this.load();
    }
  }

  /** Loads the displayed week (Monday → Sunday) from the API. */
  async load(): Promise<void> {
    if (!this.rpps) return;
    const seq = ++this.loadSeq;
    this.loadedFor = `${this.rpps}|${this.from}`;
    this.loading = true;
    this.loadProblem = null;
    try {
      const week = await getJson<AgendaWeek>(`${this.base}?from=${this.from}&days=7`);
      if (seq !== this.loadSeq) return;
      this.week = week;
    } catch (e) {
      if (seq !== this.loadSeq) return;
      this.loadProblem = problemOf(e);
      this.week = null;
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  private changed(action: string, status: string): void {
    this.status = status;
    this.dispatchEvent(
      new CustomEvent<AgendaChangedDetail>('sas-agenda-changed', { detail: { rpps: this.rpps ?? '', action }, bubbles: true, composed: true }),
    );
  }

  // ——— week navigation ———

  private goTo(monday: string): void {
    this.status = '';
    this.from = monday;
  }

  // ——— dialog ———

  private emptyForm(date: string): AvailabilityForm {
    return { kind: 'slot', patients: '', date, startTime: '', endTime: '', types: ['cabinet'], recurring: false, weekdays: [weekdayOf(date)], until: '' };
  }

  private formOfOccurrence(o: AgendaOccurrence): AvailabilityForm {
    return {
      kind: o.kind,
      patients: o.kind === 'range' ? String(o.capacity) : '',
      date: o.date,
      startTime: o.startTime,
      endTime: o.endTime,
      types: [...o.consultationTypes],
      recurring: false,
      weekdays: [],
      until: '',
    };
  }

  private formOfSeries(s: AgendaSeries, date: string): AvailabilityForm {
    return {
      kind: s.kind,
      patients: s.kind === 'range' ? String(s.capacity) : '',
      date,
      startTime: s.startTime,
      endTime: s.endTime,
      types: [...s.consultationTypes],
      recurring: true,
      weekdays: [...s.weekdays],
      until: s.until,
    };
  }

  private seriesOf(o: AgendaOccurrence): AgendaSeries | undefined {
    return o.seriesId ? this.week?.series.find((s) => s.seriesId === o.seriesId) : undefined;
  }

  private openCreate(event: Event): void {
    const today = parisToday();
    const date = today >= this.from && today < addDays(this.from, 7) ? today : this.from;
    this.opener = event.currentTarget as HTMLElement;
    this.form = this.emptyForm(date);
    this.formProblem = null;
    this.dialog = { mode: 'create' };
  }

  private openEdit(event: Event, o: AgendaOccurrence): void {
    this.opener = event.currentTarget as HTMLElement;
    this.form = this.formOfOccurrence(o);
    this.formProblem = null;
    this.dialog = { mode: 'edit', occurrence: o, scope: 'occurrence', confirmDelete: false };
  }

  private setScope(scope: 'occurrence' | 'series'): void {
    const d = this.dialog;
    if (d?.mode !== 'edit' || d.scope === scope) return;
    const series = this.seriesOf(d.occurrence);
    this.form = scope === 'series' && series ? this.formOfSeries(series, d.occurrence.date) : this.formOfOccurrence(d.occurrence);
    this.formProblem = null;
    this.dialog = { ...d, scope, confirmDelete: false };
  }

  private closeDialog(): void {
    this.dialogElement()?.close();
    this.dialog = null;
    this.formProblem = null;
    this.focusAfterClose = true;
  }

  private dialogElement(): HTMLDialogElement | null {
    return this.querySelector<HTMLDialogElement>(`#${this.uid}-dialog`);
  }

  /** Keeps Tab and Shift+Tab inside the open dialog; Escape closes it. */
  private onDialogKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.closeDialog();
      return;
    }
    if (event.key !== 'Tab') return;
    const dialog = this.dialogElement();
    if (!dialog) return;
    const focusable = [
      ...dialog.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])'),
    ].filter((el) => !(el as HTMLButtonElement).disabled && el.offsetParent !== null);
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  protected override updated(): void {
    const dialog = this.dialogElement();
    if (dialog && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (this.focusAfterClose && !this.dialog) {
      this.focusAfterClose = false;
      const target = this.opener?.isConnected ? this.opener : this.querySelector<HTMLElement>(`#${this.uid}-title`);
      target?.focus();
      this.opener = null;
    }
  }

  private patchForm(patch: Partial<AvailabilityForm>): void {
    this.form = { ...this.form, ...patch };
  }

  private onFieldInput(name: keyof AvailabilityForm & string, value: string): void {
    const f = this.form;
    const patch: Partial<AvailabilityForm> = { [name]: value };
    // A new first date carries its weekday along while the weekdays are still just the former date's one.
    if (name === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value) && /^\d{4}-\d{2}-\d{2}$/.test(f.date)) {
      if (f.weekdays.length === 0 || (f.weekdays.length === 1 && f.weekdays[0] === weekdayOf(f.date))) patch.weekdays = [weekdayOf(value)];
    }
    this.patchForm(patch);
  }

  private toggleIn(list: readonly string[], value: string): string[] {
    return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
  }

  private bodyOf(scope: 'create' | 'occurrence' | 'series'): Record<string, unknown> {
    const f = this.form;
    const patients = f.patients.trim() === '' ? undefined : Number(f.patients);
    const offer = { kind: f.kind, ...(f.kind === 'range' && patients !== undefined ? { patients } : {}) };
    const times = { startTime: f.startTime, endTime: f.endTime, consultationTypes: f.types };
    const recurrence = { weekdays: WEEKDAYS.map((w) => w.id).filter((w) => f.weekdays.includes(w)), until: f.until };
    switch (scope) {
      case 'create':
        return { ...offer, date: f.date, ...times, ...(f.recurring ? { recurrence } : {}) };
      case 'occurrence':
        return { ...offer, date: f.date, ...times };
      case 'series':
        return { ...offer, ...times, recurrence };
    }
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const d = this.dialog;
    if (!d || this.saving) return;
    this.saving = true;
    this.formProblem = null;
    try {
      if (d.mode === 'create') {
        const created = await postJson<{ skippedDates?: string[] }>(`${this.base}/availabilities`, this.bodyOf('create'));
        const what = this.form.kind === 'range' ? 'Plage' : 'Créneau';
        const skipped = created?.skippedDates?.length ? ` Dates sans occurrence (changement d’heure) : ${created.skippedDates.map(shortDate).join(', ')}.` : '';
        this.closeDialog();
        this.changed('create', `${what} ${this.form.recurring ? 'hebdomadaire ' : ''}ajouté${this.form.kind === 'range' ? 'e' : ''} à l’agenda.${skipped}`);
      } else if (d.scope === 'series' && d.occurrence.seriesId) {
        await sendJson('PATCH', `${this.base}/series/${encodeURIComponent(d.occurrence.seriesId)}`, this.bodyOf('series'));
        this.closeDialog();
        this.changed('modify-series', 'Série modifiée (les occurrences déjà réservées sont conservées telles quelles).');
      } else {
        await sendJson('PATCH', `${this.base}/occurrences/${encodeURIComponent(d.occurrence.occurrenceId)}`, this.bodyOf('occurrence'));
        this.closeDialog();
        this.changed('modify-occurrence', 'Disponibilité modifiée.');
      }
      await this.load();
    } catch (e) {
      this.formProblem = problemOf(e);
    } finally {
      this.saving = false;
    }
  }

  private askDelete(confirm: boolean): void {
    const d = this.dialog;
    if (d?.mode !== 'edit') return;
    this.formProblem = null;
    this.dialog = { ...d, confirmDelete: confirm };
  }

  private async deleteSelected(): Promise<void> {
    const d = this.dialog;
    if (d?.mode !== 'edit' || this.saving) return;
    this.saving = true;
    this.formProblem = null;
    try {
      if (d.scope === 'series' && d.occurrence.seriesId) {
        await sendJson('DELETE', `${this.base}/series/${encodeURIComponent(d.occurrence.seriesId)}`);
        this.closeDialog();
        this.changed('delete-series', 'Série supprimée (les occurrences déjà réservées sont conservées).');
      } else {
        await sendJson('DELETE', `${this.base}/occurrences/${encodeURIComponent(d.occurrence.occurrenceId)}`);
        this.closeDialog();
        this.changed('delete-occurrence', 'Disponibilité supprimée.');
      }
      await this.load();
    } catch (e) {
      this.formProblem = problemOf(e);
      this.dialog = { ...d, confirmDelete: false };
    } finally {
      this.saving = false;
    }
  }

  // ——— unavailability ———

  private async declareUnavailability(event: Event): Promise<void> {
    event.preventDefault();
    if (this.saving) return;
    this.saving = true;
    this.unavailProblem = null;
    try {
      await postJson(`${this.base}/unavailabilities`, { fromDate: this.unavailFrom, toDate: this.unavailTo });
      const label = `du ${shortDate(this.unavailFrom)} au ${shortDate(this.unavailTo)}`;
      this.unavailFrom = '';
      this.unavailTo = '';
      this.changed('declare-unavailability', `Indisponibilité déclarée ${label}.`);
      await this.load();
    } catch (e) {
      this.unavailProblem = problemOf(e);
    } finally {
      this.saving = false;
    }
  }

  private async removeUnavailability(p: UnavailabilityPeriod): Promise<void> {
    if (this.saving) return;
    this.saving = true;
    this.unavailProblem = null;
    try {
      await sendJson('DELETE', `${this.base}/unavailabilities/${encodeURIComponent(p.periodId)}`);
      this.changed('remove-unavailability', `Indisponibilité du ${shortDate(p.fromDate)} au ${shortDate(p.toDate)} retirée.`);
      await this.load();
      this.querySelector<HTMLElement>(`#${this.uid}-unavail-title`)?.focus();
    } catch (e) {
      this.unavailProblem = problemOf(e);
    } finally {
      this.saving = false;
    }
  }

  private async setIndefinite(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const on = input.checked;
    this.saving = true;
    this.unavailProblem = null;
    try {
      await sendJson('PUT', `${this.base}/unavailabilities/indefinite`, { on });
      this.changed('indefinite', on ? 'Indisponibilité pour une durée indéfinie activée : vos créneaux sont masqués de la recherche.' : 'Indisponibilité pour une durée indéfinie désactivée.');
      await this.load();
    } catch (e) {
      input.checked = !on;
      this.unavailProblem = problemOf(e);
    } finally {
      this.saving = false;
    }
  }

  // ——— rendering ———

  private renderProblem(problem: Problem | null, id: string): unknown {
    if (!problem) return nothing;
    const fields = Object.values(problem.fieldErrors);
    return html`<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert" id=${id} data-problem=${problem.code ?? problem.status}>
      <p>${problem.detail}</p>
      ${fields.length > 1 ? html`<ul>${fields.map((m) => html`<li>${m}</li>`)}</ul>` : nothing}
    </div>`;
  }

  private fieldError(name: string): string | undefined {
    return this.formProblem?.fieldErrors[name];
  }

  private renderInput(name: keyof AvailabilityForm & string, label: string, type: string, hint = '', extra: { autofocus?: boolean; min?: string } = {}): unknown {
    const id = `${this.uid}-${name}`;
    const error = this.fieldError(name);
    const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    return html`<div class="fr-input-group ${error ? 'fr-input-group--error' : ''}">
      <label class="fr-label" for=${id}>${label}${hint ? html`<span class="fr-hint-text" id=${`${id}-hint`}>${hint}</span>` : nothing}</label>
      <input
        class="fr-input ${error ? 'fr-input--error' : ''}"
        id=${id}
        name=${name}
        type=${type}
        min=${extra.min ?? nothing}
        ?data-autofocus=${extra.autofocus ?? false}
        aria-invalid=${error ? 'true' : nothing}
        aria-describedby=${describedBy || nothing}
        .value=${String(this.form[name] ?? '')}
        @input=${(e: Event) => this.onFieldInput(name, (e.target as HTMLInputElement).value)}
      />
      ${error ? html`<p class="fr-error-text" id=${`${id}-error`}>${error}</p>` : nothing}
    </div>`;
  }

  private renderFieldset(name: string, legend: string, content: unknown, hint = ''): unknown {
    const id = `${this.uid}-${name}`;
    const error = this.fieldError(name);
    return html`<fieldset class="fr-fieldset ${error ? 'fr-fieldset--error' : ''}" id=${id} aria-labelledby=${`${id}-legend`}>
      <legend class="fr-fieldset__legend fr-fieldset__legend--regular" id=${`${id}-legend`}>
        ${legend}${hint ? html`<span class="fr-hint-text">${hint}</span>` : nothing}
      </legend>
      ${content}
      ${error ? html`<div class="fr-messages-group" aria-live="polite"><p class="fr-message fr-message--error">${error}</p></div>` : nothing}
    </fieldset>`;
  }

  private renderForm(d: Dialog): unknown {
    const f = this.form;
    const scope = d.mode === 'create' ? 'create' : d.scope;
    const kindName = `${this.uid}-kind`;
    return html`
      ${this.renderFieldset(
        'kind',
        'Type de disponibilité',
        html`${(
          [
            ['slot', 'Créneau (un patient)'],
            ['range', 'Plage de plusieurs patients'],
          ] as const
        ).map(
          ([value, label], i) => html`<div class="fr-fieldset__element fr-fieldset__element--inline">
            <div class="fr-radio-group">
              <input
                type="radio"
                id=${`${kindName}-${value}`}
                name=${kindName}
                value=${value}
                ?data-autofocus=${i === 0 && scope !== 'series' ? f.kind === 'slot' : false}
                .checked=${f.kind === value}
                @change=${() => this.patchForm({ kind: value })}
              />
              <label class="fr-label" for=${`${kindName}-${value}`}>${label}</label>
            </div>
          </div>`,
        )}`,
      )}
      ${f.kind === 'range' ? this.renderInput('patients', 'Nombre de patients', 'number', 'Nombre de patients que la plage peut recevoir.', { min: '1' }) : nothing}
      ${scope === 'series' ? nothing : this.renderInput('date', scope === 'create' && f.recurring ? 'Date de la première occurrence' : 'Date', 'date')}
      <div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-6">${this.renderInput('startTime', 'Heure de début', 'time', 'HH:MM, heure de Paris')}</div>
        <div class="fr-col-6">${this.renderInput('endTime', 'Heure de fin', 'time', 'HH:MM, heure de Paris')}</div>
      </div>
      ${this.renderFieldset(
        'consultationTypes',
        'Types de consultation',
        html`${CONSULTATION_TYPES.map(
          (c) => html`<div class="fr-fieldset__element fr-fieldset__element--inline">
            <div class="fr-checkbox-group">
              <input
                type="checkbox"
                id=${`${this.uid}-type-${c.id}`}
                .checked=${f.types.includes(c.id)}
                @change=${() => this.patchForm({ types: this.toggleIn(f.types, c.id) })}
              />
              <label class="fr-label" for=${`${this.uid}-type-${c.id}`}>${c.label}</label>
            </div>
          </div>`,
        )}`,
        'Un ou plusieurs.',
      )}
      ${scope === 'occurrence'
        ? nothing
        : html`${scope === 'create'
              ? html`<div class="fr-checkbox-group fr-mb-2w">
                  <input type="checkbox" id=${`${this.uid}-recurring`} .checked=${f.recurring} @change=${() => this.patchForm({ recurring: !f.recurring })} />
                  <label class="fr-label" for=${`${this.uid}-recurring`}>Répéter chaque semaine</label>
                </div>`
              : nothing}
            ${f.recurring ? this.renderRecurrence() : nothing}`}
    `;
  }

  private renderRecurrence(): unknown {
    const f = this.form;
    return html`${this.renderFieldset(
        'weekdays',
        'Jours de la semaine',
        html`<ul class="fr-tags-group">
          ${WEEKDAYS.map(
            (w) => html`<li>
              <button
                type="button"
                class="fr-tag"
                aria-pressed=${f.weekdays.includes(w.id) ? 'true' : 'false'}
                @click=${() => this.patchForm({ weekdays: this.toggleIn(f.weekdays, w.id) })}
              >
                <span aria-hidden="true">${w.short}</span><span class="fr-sr-only">${w.label}</span>
              </button>
            </li>`,
          )}
        </ul>`,
      )}
      ${this.renderInput('until', 'Jusqu’au (inclus)', 'date')}`;
  }

  private renderDialog(): unknown {
    const d = this.dialog;
    if (!d) return nothing;
    const titleId = `${this.uid}-dialog-title`;
    const o = d.mode === 'edit' ? d.occurrence : null;
    const title =
      d.mode === 'create' ? 'Ajouter une disponibilité' : d.scope === 'series' ? 'Modifier la série hebdomadaire' : 'Modifier la disponibilité';
    const series = o ? this.seriesOf(o) : undefined;
    return html`<dialog
      id=${`${this.uid}-dialog`}
      class="fr-modal fr-modal--opened"
      aria-labelledby=${titleId}
      aria-modal="true"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.closeDialog();
      }}
      @keydown=${(e: KeyboardEvent) => this.onDialogKeydown(e)}
    >
      <div class="fr-container fr-container--fluid fr-container-md">
        <div class="fr-grid-row fr-grid-row--center">
          <div class="fr-col-12 fr-col-md-10 fr-col-lg-8">
            <div class="fr-modal__body">
              <div class="fr-modal__header">
                <button type="button" class="fr-btn--close fr-btn" title="Fermer la fenêtre" @click=${() => this.closeDialog()}>Fermer</button>
              </div>
              <form novalidate @submit=${(e: Event) => void this.submit(e)}>
                <div class="fr-modal__content">
                  <h2 id=${titleId} class="fr-modal__title">${title}</h2>
                  ${o
                    ? html`<p class="fr-text--sm">
                        ${longDate(o.date)} — ${describeOccurrence(o)}${series
                          ? html`<br />Série hebdomadaire : ${series.weekdays.map((w) => WEEKDAYS.find((x) => x.id === w)?.label ?? w).join(', ').toLowerCase()},
                              jusqu’au ${shortDate(series.until)}`
                          : nothing}
                      </p>`
                    : nothing}
                  ${o && series
                    ? this.renderFieldset(
                        'scope',
                        'Appliquer à',
                        html`${(
                          [
                            ['occurrence', `Cette occurrence seulement (${shortDate(o.date)})`],
                            ['series', 'Toute la série (à venir)'],
                          ] as const
                        ).map(
                          ([value, label]) => html`<div class="fr-fieldset__element">
                            <div class="fr-radio-group">
                              <input
                                type="radio"
                                id=${`${this.uid}-scope-${value}`}
                                name=${`${this.uid}-scope`}
                                .checked=${d.mode === 'edit' && d.scope === value}
                                @change=${() => this.setScope(value)}
                              />
                              <label class="fr-label" for=${`${this.uid}-scope-${value}`}>${label}</label>
                            </div>
                          </div>`,
                        )}`,
                      )
                    : nothing}
                  ${this.renderProblem(this.formProblem, `${this.uid}-form-problem`)} ${this.renderForm(d)}
                </div>
                <div class="fr-modal__footer">
                  ${d.mode === 'edit' && d.confirmDelete
                    ? html`<div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" style="flex-basis:100%">
                          <p>
                            ${d.scope === 'series'
                              ? 'Supprimer toute la série ? Les occurrences déjà réservées sont conservées.'
                              : 'Supprimer cette disponibilité ?'}
                          </p>
                        </div>`
                    : nothing}
                  <ul class="fr-btns-group fr-btns-group--right fr-btns-group--inline-lg fr-btns-group--icon-left">
                    ${d.mode === 'edit' && d.confirmDelete
                      ? html`<li>
                            <button type="button" class="fr-btn fr-icon-delete-line" ?disabled=${this.saving} @click=${() => void this.deleteSelected()}>
                              ${d.scope === 'series' ? 'Confirmer la suppression de la série' : 'Confirmer la suppression'}
                            </button>
                          </li>
                          <li><button type="button" class="fr-btn fr-btn--secondary" @click=${() => this.askDelete(false)}>Ne pas supprimer</button></li>`
                      : html`<li>
                            <button type="submit" class="fr-btn fr-icon-check-line" ?disabled=${this.saving}>
                              ${d.mode === 'create' ? 'Ajouter' : d.scope === 'series' ? 'Enregistrer la série' : 'Enregistrer'}
                            </button>
                          </li>
                          ${d.mode === 'edit'
                            ? html`<li>
                                <button type="button" class="fr-btn fr-btn--secondary fr-icon-delete-line" @click=${() => this.askDelete(true)}>
                                  ${d.scope === 'series' ? 'Supprimer la série' : 'Supprimer'}
                                </button>
                              </li>`
                            : nothing}
                          <li><button type="button" class="fr-btn fr-btn--tertiary fr-icon-close-line" @click=${() => this.closeDialog()}>Annuler</button></li>`}
                  </ul>
                </div>
              </form>
            </div>
          </div>
        </div>
      </div>
    </dialog>`;
  }

  private unavailableOn(date: string): boolean {
    const w = this.week;
    if (!w) return false;
    return w.indefinitelyUnavailable || w.unavailabilities.some((p) => p.fromDate <= date && date <= p.toDate);
  }

  private renderOccurrence(o: AgendaOccurrence, firstHour: number): unknown {
    const startMin = minutesOf(o.startTime);
    const endMin = o.endTime === '24:00' ? 24 * 60 : minutesOf(o.endTime);
    const top = ((startMin - firstHour * 60) / 60) * HOUR_REM;
    const height = Math.max(((endMin - startMin) / 60) * HOUR_REM, 1.75);
    const style = `top:${top}rem;height:${height}rem`;
    const compact = endMin - startMin < 45;
    const kindLabel = o.kind === 'range' ? 'Plage' : 'Créneau';
    const short = o.kind === 'range' ? `${kindLabel} · ${o.remainingPlaces}/${o.capacity} places` : `${kindLabel} · ${consultationLabel(o.consultationTypes)}`;
    const extra = `${o.kind === 'range' ? `, ${placesLabel(o)}` : ''}, ${consultationLabel(o.consultationTypes).toLowerCase()}${o.seriesId ? ', série hebdomadaire' : ''}${
      o.hiddenByUnavailability ? ', masqué de la recherche (indisponibilité)' : ''
    }`;
    const content = html`<strong>${o.startTime}–${o.endTime}</strong>
      ${o.booked ? html`<span class="fr-icon-lock-line fr-icon--sm" aria-hidden="true"></span> Réservé · verrouillé<span class="fr-sr-only">, </span>` : nothing}
      <span>${short}</span><span class="fr-sr-only">${extra}</span>`;
    return html`<li style=${style} data-occurrence-id=${o.occurrenceId} data-slot-id=${o.slotId}>
      ${o.booked
        ? html`<div
            class="sas-agenda__occ"
            data-kind=${o.kind}
            data-booked
            ?data-compact=${compact}
            ?data-hidden=${o.hiddenByUnavailability}
            title="Réservé par la régulation : ni modifiable ni supprimable"
          >
            ${content}
          </div>`
        : html`<button
            type="button"
            class="sas-agenda__occ"
            data-kind=${o.kind}
            ?data-compact=${compact}
            ?data-hidden=${o.hiddenByUnavailability}
            @click=${(e: Event) => this.openEdit(e, o)}
          >
            ${content}
          </button>`}
    </li>`;
  }

  private renderWeek(): unknown {
    const week = this.week;
    const days = Array.from({ length: 7 }, (_, i) => addDays(this.from, i));
    const today = parisToday();
    const occurrences = week?.occurrences ?? [];
    let firstHour = 8;
    let lastHour = 20;
    for (const o of occurrences) {
      firstHour = Math.min(firstHour, Math.floor(minutesOf(o.startTime) / 60));
      lastHour = Math.max(lastHour, o.endTime === '24:00' ? 24 : Math.ceil(minutesOf(o.endTime) / 60));
    }
    const hours = Array.from({ length: lastHour - firstHour }, (_, i) => firstHour + i);
    const height = `${hours.length * HOUR_REM}rem`;
    return html`<div class="sas-agenda__scroll">
      <div class="sas-agenda__grid" data-first-hour=${firstHour}>
        <div class="sas-agenda__head" aria-hidden="true"></div>
        ${days.map(
          (date) => html`<div class="sas-agenda__head" ?data-today=${date === today}>
            <h3 id=${`${this.uid}-day-${date}`}>
              <span aria-hidden="true">${capitalize(dayHeadFormat.format(civil(date)))}</span>
              <span class="fr-sr-only">${capitalize(dayLongFormat.format(civil(date)))}${date === today ? ' (aujourd’hui)' : ''}</span>
            </h3>
            ${this.unavailableOn(date) ? html`<p class="fr-badge fr-badge--sm fr-badge--warning fr-mt-1v fr-mb-0">Indisponible</p>` : nothing}
          </div>`,
        )}
        <div class="sas-agenda__hours" aria-hidden="true">
          ${hours.map((h) => html`<div class="sas-agenda__hour">${String(h).padStart(2, '0')}:00</div>`)}
        </div>
        ${days.map((date) => {
          const list = occurrences.filter((o) => o.date === date);
          return html`<ul
            class="sas-agenda__day"
            style=${`height:${height}`}
            aria-labelledby=${`${this.uid}-day-${date}`}
            data-date=${date}
            ?data-unavailable=${this.unavailableOn(date)}
          >
            ${list.map((o) => this.renderOccurrence(o, firstHour))}
          </ul>`;
        })}
      </div>
    </div>`;
  }

  private renderUnavailability(): unknown {
    const week = this.week;
    if (!week) return nothing;
    const titleId = `${this.uid}-unavail-title`;
    const fromId = `${this.uid}-unavail-from`;
    const toId = `${this.uid}-unavail-to`;
    const toggleId = `${this.uid}-indefinite`;
    const fe = this.unavailProblem?.fieldErrors ?? {};
    const full = week.unavailabilities.length >= 3;
    return html`<section class="fr-mt-6w" aria-labelledby=${titleId} data-panel="unavailability">
      <h2 id=${titleId} class="fr-h4" tabindex="-1">Indisponibilités</h2>
      <p class="fr-text--sm">
        Pendant une indisponibilité, vos créneaux (saisis ici ou publiés par votre éditeur de logiciel) n’apparaissent plus dans
        la recherche des régulateurs ; ils réapparaissent ensuite. Jusqu’à trois périodes datées.
      </p>
      ${this.renderProblem(this.unavailProblem, `${this.uid}-unavail-problem`)}
      <div class="fr-toggle fr-mb-3w">
        <input
          type="checkbox"
          class="fr-toggle__input"
          id=${toggleId}
          aria-describedby=${`${toggleId}-hint`}
          .checked=${week.indefinitelyUnavailable}
          ?disabled=${this.saving}
          @change=${(e: Event) => void this.setIndefinite(e)}
        />
        <label class="fr-toggle__label" style="--toggle-status-width:1.5rem" for=${toggleId} data-fr-checked-label="Activée" data-fr-unchecked-label="Désactivée">
          Indisponible pour une durée indéfinie
        </label>
        <p class="fr-hint-text" id=${`${toggleId}-hint`}>Masque tous vos créneaux de la recherche jusqu’à ce que vous la désactiviez.</p>
      </div>
      <h3 class="fr-h6">Périodes déclarées</h3>
      ${week.unavailabilities.length === 0
        ? html`<p>Aucune période d’indisponibilité déclarée.</p>`
        : html`<ul class="fr-mb-3w" data-list="unavailabilities">
            ${week.unavailabilities.map(
              (p) => html`<li data-period-id=${p.periodId} class="fr-mb-1w">
                Du ${shortDate(p.fromDate)} au ${shortDate(p.toDate)} (inclus)
                <button
                  type="button"
                  class="fr-btn fr-btn--tertiary fr-btn--sm fr-icon-delete-line fr-btn--icon-left fr-ml-2w"
                  ?disabled=${this.saving}
                  @click=${() => void this.removeUnavailability(p)}
                >
                  Retirer<span class="fr-sr-only"> l’indisponibilité du ${shortDate(p.fromDate)} au ${shortDate(p.toDate)}</span>
                </button>
              </li>`,
            )}
          </ul>`}
      <form novalidate @submit=${(e: Event) => void this.declareUnavailability(e)} aria-labelledby=${`${titleId}-form`}>
        <h3 class="fr-h6" id=${`${titleId}-form`}>Déclarer une période</h3>
        ${full ? html`<p class="fr-text--sm">Trois périodes sont déjà déclarées : retirez-en une pour en ajouter une autre.</p>` : nothing}
        <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div class="fr-col-12 fr-col-md-4">
            <div class="fr-input-group ${fe.fromDate ? 'fr-input-group--error' : ''}">
              <label class="fr-label" for=${fromId}>Du</label>
              <input
                class="fr-input"
                type="date"
                id=${fromId}
                aria-describedby=${fe.fromDate ? `${fromId}-error` : nothing}
                .value=${this.unavailFrom}
                @input=${(e: Event) => (this.unavailFrom = (e.target as HTMLInputElement).value)}
              />
              ${fe.fromDate ? html`<p class="fr-error-text" id=${`${fromId}-error`}>${fe.fromDate}</p>` : nothing}
            </div>
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <div class="fr-input-group ${fe.toDate ? 'fr-input-group--error' : ''}">
              <label class="fr-label" for=${toId}>Au (inclus)</label>
              <input
                class="fr-input"
                type="date"
                id=${toId}
                aria-describedby=${fe.toDate ? `${toId}-error` : nothing}
                .value=${this.unavailTo}
                @input=${(e: Event) => (this.unavailTo = (e.target as HTMLInputElement).value)}
              />
              ${fe.toDate ? html`<p class="fr-error-text" id=${`${toId}-error`}>${fe.toDate}</p>` : nothing}
            </div>
          </div>
          <div class="fr-col-12 fr-col-md-4">
            <button type="submit" class="fr-btn fr-btn--secondary fr-mb-3w" ?disabled=${this.saving}>Déclarer l’indisponibilité</button>
          </div>
        </div>
      </form>
    </section>`;
  }

  override render(): unknown {
    const titleId = `${this.uid}-title`;
    const busy = this.loading;
    const week = this.week;
    const last = addDays(this.from, 6);
    return html`<section aria-labelledby=${titleId} aria-busy=${busy ? 'true' : 'false'} class="sas-agenda">
        <div class="sas-agenda__toolbar fr-mb-2w">
          <h2 id=${titleId} class="fr-h4 fr-mb-0" tabindex="-1">Semaine du ${shortDate(this.from)} au ${shortDate(last)}</h2>
          <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-btns-group--icon-left fr-mb-0">
            <li>
              <button type="button" class="fr-btn fr-btn--tertiary fr-icon-arrow-left-s-line" @click=${() => this.goTo(addDays(this.from, -7))}>
                Semaine précédente
              </button>
            </li>
            <li>
              <button type="button" class="fr-btn fr-btn--tertiary" @click=${() => this.goTo(mondayOf(parisToday()))}>Aujourd’hui</button>
            </li>
            <li>
              <button type="button" class="fr-btn fr-btn--tertiary fr-icon-arrow-right-s-line fr-btn--icon-right" @click=${() => this.goTo(addDays(this.from, 7))}>
                Semaine suivante
              </button>
            </li>
            <li>
              <button type="button" class="fr-btn fr-icon-add-line" ?disabled=${!week} @click=${(e: Event) => this.openCreate(e)}>Ajouter une disponibilité</button>
            </li>
          </ul>
        </div>
        <p role="status" class="fr-text--sm fr-mb-2w" data-status>${busy ? 'Chargement de l’agenda…' : this.status}</p>
        ${this.renderProblem(this.loadProblem, `${this.uid}-load-problem`)}
        ${week?.indefinitelyUnavailable
          ? html`<div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w">
              <p>Indisponibilité pour une durée indéfinie : tous les créneaux sont masqués de la recherche.</p>
            </div>`
          : nothing}
        ${week || busy ? this.renderWeek() : nothing}
      </section>
      ${this.renderUnavailability()} ${this.renderDialog()}`;
  }
}

if (!customElements.get('sas-agenda')) customElements.define('sas-agenda', SasAgenda);

declare global {
  interface HTMLElementTagNameMap {
    'sas-agenda': SasAgenda;
  }
  interface HTMLElementEventMap {
    'sas-agenda-changed': CustomEvent<AgendaChangedDetail>;
  }
}
