/**
 * The agenda screen of the shell (/agenda): an effecteur sees "Mon agenda" (its own RPPS, from the session); a
 * délégataire or a gestionnaire de structure chooses the effecteur it acts for, then edits that agenda.
 * A gestionnaire picks one of the structures it manages and one of its members (GET /api/directory/structures?managedBy=me);
 * a délégataire enters the effecteur's RPPS: no API lists the effecteurs a délégataire acts for (/api/me does not
 * carry them), and the agenda API answers 403 for any other.
 */
import { LitElement, html, nothing } from 'lit';
import { ApiError, getJson, hasRole, type Me, type Role } from './api.ts';
import { rppsOf } from './sas-home.ts';
import './sas-agenda.ts';
// One RPPS rule for the server and the browser.
import { isRpps } from '../../src/shared-kernel/ids/rpps.id.ts';

interface StructureItem {
  readonly structureId: string;
  readonly name: string;
  readonly kind: string;
  readonly departement: string;
  readonly memberCount: number;
}

interface StructureDetail extends StructureItem {
  readonly canManageMembers: boolean;
  readonly members: readonly { readonly rpps: string; readonly givenName: string | null; readonly familyName: string | null; readonly specialtyLabel: string | null }[];
}

const AGENDA_ROLES: readonly Role[] = ['effecteur', 'delegataire', 'gestionnaire-structure'];

/** Whether the user has a role that edits agendas (the shell's navigation shows the agenda then). */
export function editsAgendas(me: Me | null): boolean {
  return hasRole(me, ...AGENDA_ROLES);
}

export class SasAgendaPage extends LitElement {
  static override properties = {
    me: { attribute: false },
    chosen: { state: true },
    rppsText: { state: true },
    rppsError: { state: true },
    structures: { state: true },
    structuresError: { state: true },
    structure: { state: true },
    structureError: { state: true },
  };

  declare me: Me | null;
  declare chosen: string | null;
  declare rppsText: string;
  declare rppsError: string | null;
  declare structures: readonly StructureItem[] | null;
  declare structuresError: string | null;
  declare structure: StructureDetail | null;
  declare structureError: string | null;
  private structuresFor: string | null = null;

  constructor() {
    super();
    this.me = null;
    const fromUrl = new URLSearchParams(location.search).get('rpps');
    this.chosen = fromUrl && isRpps(fromUrl) ? fromUrl : null;
    this.rppsText = this.chosen ?? '';
    this.rppsError = null;
    this.structures = null;
    this.structuresError = null;
    this.structure = null;
    this.structureError = null;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(): void {
    const me = this.me;
    if (me && hasRole(me, 'gestionnaire-structure') && this.structuresFor !== me.accountId) {
      this.structuresFor = me.accountId;
      void this.loadStructures();
    }
  }

  private async loadStructures(): Promise<void> {
    try {
      const { items } = await getJson<{ items: StructureItem[] }>('/api/directory/structures?managedBy=me&limit=200');
      this.structures = items.filter((s) => s.memberCount > 0);
    } catch (e) {
      this.structures = [];
      this.structuresError = e instanceof ApiError ? e.problem.detail : 'Impossible de charger les structures.';
    }
  }

  private async chooseStructure(structureId: string): Promise<void> {
    this.structure = null;
    this.structureError = null;
    if (!structureId) return;
    try {
      const detail = await getJson<StructureDetail>(`/api/directory/structures/${encodeURIComponent(structureId)}`);
      if (!detail.canManageMembers) {
        this.structureError = `Vous ne gérez pas la structure « ${detail.name} » : choisissez une structure dont vous êtes gestionnaire.`;
        return;
      }
      this.structure = detail;
    } catch (e) {
      this.structureError = e instanceof ApiError ? e.problem.detail : 'Impossible de charger la structure.';
    }
  }

  private choose(rpps: string): void {
    this.chosen = rpps;
    this.rppsText = rpps;
    this.rppsError = null;
    const url = new URL(location.href);
    url.searchParams.set('rpps', rpps);
    history.replaceState(history.state, '', url.pathname + url.search);
  }

  private onRppsSubmit(event: Event): void {
    event.preventDefault();
    const value = this.rppsText.replace(/\s+/g, '');
    if (!isRpps(value)) {
      this.rppsError = 'Saisissez un numéro RPPS de 11 chiffres (clé de contrôle comprise).';
      return;
    }
    this.choose(value);
  }

  private renderStructureChooser(): unknown {
    const structures = this.structures;
    return html`<div class="fr-col-12 fr-col-md-6">
      <div class="fr-select-group">
        <label class="fr-label" for="agenda-structure">
          Structure
          <span class="fr-hint-text">Les structures dont vous êtes gestionnaire et qui ont des membres.</span>
        </label>
        <select class="fr-select" id="agenda-structure" ?disabled=${structures === null} @change=${(e: Event) => void this.chooseStructure((e.target as HTMLSelectElement).value)}>
          <option value="" selected>${structures === null ? 'Chargement…' : 'Choisir une structure'}</option>
          ${(structures ?? []).map((s) => html`<option value=${s.structureId}>${s.name} (${s.departement})</option>`)}
        </select>
      </div>
      ${this.structuresError ? html`<p class="fr-error-text" role="alert">${this.structuresError}</p>` : nothing}
      ${this.structureError ? html`<p class="fr-error-text" role="alert">${this.structureError}</p>` : nothing}
      ${this.structure
        ? html`<div class="fr-select-group">
            <label class="fr-label" for="agenda-member">Membre de la structure</label>
            <select class="fr-select" id="agenda-member" @change=${(e: Event) => {
              const v = (e.target as HTMLSelectElement).value;
              if (v) this.choose(v);
            }}>
              <option value="" selected>Choisir un effecteur</option>
              ${this.structure.members.map(
                (m) => html`<option value=${m.rpps} ?selected=${m.rpps === this.chosen}>
                  ${[m.givenName, m.familyName].filter(Boolean).join(' ') || 'Nom inconnu'} — RPPS ${m.rpps}${m.specialtyLabel ? ` (${m.specialtyLabel})` : ''}
                </option>`,
              )}
            </select>
          </div>`
        : nothing}
    </div>`;
  }

  private renderRppsChooser(): unknown {
    return html`<div class="fr-col-12 fr-col-md-6">
      <form novalidate @submit=${(e: Event) => this.onRppsSubmit(e)}>
        <div class="fr-input-group ${this.rppsError ? 'fr-input-group--error' : ''}">
          <label class="fr-label" for="agenda-rpps">
            Numéro RPPS de l’effecteur
            <span class="fr-hint-text" id="agenda-rpps-hint">11 chiffres ; l’effecteur doit vous avoir délégué son agenda.</span>
          </label>
          <input
            class="fr-input ${this.rppsError ? 'fr-input--error' : ''}"
            id="agenda-rpps"
            inputmode="numeric"
            autocomplete="off"
            aria-describedby=${this.rppsError ? 'agenda-rpps-hint agenda-rpps-error' : 'agenda-rpps-hint'}
            .value=${this.rppsText}
            @input=${(e: Event) => (this.rppsText = (e.target as HTMLInputElement).value)}
          />
          ${this.rppsError ? html`<p class="fr-error-text" id="agenda-rpps-error">${this.rppsError}</p>` : nothing}
        </div>
        <button type="submit" class="fr-btn fr-btn--secondary">Afficher l’agenda</button>
      </form>
    </div>`;
  }

  override render(): unknown {
    const me = this.me;
    if (!me) return nothing;
    if (hasRole(this.me, 'effecteur')) {
      return html`<h1>Mon agenda</h1>
        <p class="fr-text--sm">Vos disponibilités saisies à la main, à l’heure de Paris. Les créneaux réservés par la régulation sont verrouillés.</p>
        <sas-agenda rpps=${rppsOf(me.nationalId)}></sas-agenda>`;
    }
    if (!hasRole(this.me, 'delegataire') && !hasRole(this.me, 'gestionnaire-structure')) {
      return html`<h1>Agendas</h1>
        <div class="fr-alert fr-alert--error fr-alert--sm" role="alert">
          <p>Cette page est réservée aux effecteurs, à leurs délégataires et aux gestionnaires de structure.</p>
        </div>`;
    }
    return html`<h1>Agendas des effecteurs</h1>
      <section aria-labelledby="agenda-choice-title" class="fr-mb-4w">
        <h2 id="agenda-choice-title" class="fr-h5">Choisir l’effecteur</h2>
        <div class="fr-grid-row fr-grid-row--gutters">
          ${hasRole(this.me, 'gestionnaire-structure') ? this.renderStructureChooser() : nothing} ${this.renderRppsChooser()}
        </div>
      </section>
      ${this.chosen
        ? html`<p class="fr-text--sm" data-chosen=${this.chosen}>Agenda de l’effecteur RPPS ${this.chosen}</p>
            <sas-agenda rpps=${this.chosen}></sas-agenda>`
        : html`<p>Choisissez un effecteur pour afficher son agenda.</p>`}`;
  }
}

if (!customElements.get('sas-agenda-page')) customElements.define('sas-agenda-page', SasAgendaPage);

declare global {
  interface HTMLElementTagNameMap {
    'sas-agenda-page': SasAgendaPage;
  }
}
