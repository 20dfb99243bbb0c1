import { LitElement, html, nothing } from 'lit';
import { ApiError, getJson, hasRole, roleLabel, territoriesOf, type Me, type Role } from './api.ts';

interface Slot {
  readonly slotId: string;
  readonly start: string;
  readonly end: string;
  readonly consultationTypes: unknown;
}

const CONSULTATION_LABELS: Record<string, string> = {
  cabinet: 'Au cabinet',
  'in-person': 'Au cabinet',
  domicile: 'À domicile',
  home: 'À domicile',
  'home-visit': 'À domicile',
  teleconsultation: 'Téléconsultation',
};

const ROLE_DESCRIPTIONS: Partial<Record<Role, string>> = {
  delegataire:
    'En tant que délégataire, vous gérez les disponibilités et les informations des professionnels de santé qui vous ont délégué cette tâche.',
  'gestionnaire-structure':
    'En tant que gestionnaire de structure, vous tenez à jour les informations et les disponibilités de votre structure de soins (centre de santé, maison de santé pluriprofessionnelle, CPTS, association SOS Médecins).',
  'referent-territorial':
    'En tant que référent territorial, vous suivez le fonctionnement du SAS sur vos départements et accompagnez les acteurs locaux.',
  'admin-national':
    'En tant qu’administrateur national, vous paramétrez la plateforme et habilitez les gestionnaires de comptes des territoires.',
};

/** Messages other pages send to the home page (`/?message=…`), e.g. the LRM entry /sas/recherche. */
export const HOME_MESSAGES: Readonly<Record<string, { readonly title: string; readonly text: string }>> = {
  'adresse-introuvable': {
    title: 'Adresse du patient introuvable',
    text: "L'adresse transmise par votre logiciel de régulation (LRM) n'a pas pu être localisée : la commune manque ou est inconnue, ou un numéro est donné sans nom de rue. Lancez la recherche en saisissant la commune du patient.",
  },
};

/** RPPS of an effecteur: its national identifier without the leading type digit 8. */
export function rppsOf(nationalId: string): string {
  return nationalId.startsWith('8') ? nationalId.slice(1) : nationalId;
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });

function consultationTypes(value: unknown): string {
  const list = Array.isArray(value) ? value : value == null ? [] : [value];
  return list.map((v) => CONSULTATION_LABELS[String(v)] ?? String(v)).join(', ') || '—';
}

function territories(me: Me, role: Role): string {
  const list = territoriesOf(me, role);
  return list.length ? list.join(', ') : 'national';
}

/** Home page, one section per role held by the logged-in user. */
export class SasHome extends LitElement {
  static override properties = {
    me: { attribute: false },
    slots: { state: true },
    slotsError: { state: true },
  };

  declare me: Me | null;
  declare slots: readonly Slot[] | null;
  declare slotsError: string | null;
  private loadedFor: string | null = null;

  constructor() {
    super();
    this.me = null;
    this.slots = null;
    this.slotsError = null;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(): void {
    const me = this.me;
    if (me && hasRole(me, 'effecteur') && this.loadedFor !== me.nationalId) {
      this.loadedFor = me.nationalId;
      void this.loadSlots(rppsOf(me.nationalId));
    }
  }

  private async loadSlots(rpps: string): Promise<void> {
    this.slots = null;
    this.slotsError = null;
    try {
      const { items } = await getJson<{ items: Slot[] }>(
        `/api/availability/slots?effecteurId=${encodeURIComponent(rpps)}&limit=20`,
      );
      this.slots = items;
    } catch (e) {
      this.slotsError = e instanceof ApiError ? e.problem.detail : 'Impossible de charger vos créneaux.';
      this.slots = [];
    }
  }

  private renderRegulation(role: Role): unknown {
    return html`<section class="fr-mb-6w" aria-labelledby="home-search-title">
      <h2 id="home-search-title">Orienter un patient</h2>
      <p>
        Vous intervenez comme ${roleLabel(role)} (territoires : ${territories(this.me!, role)}). Recherchez un
        professionnel de santé disponible pour proposer un rendez-vous au patient.
      </p>
      <p>
        <a class="fr-btn fr-icon-search-line fr-btn--icon-left" href="/recherche">Rechercher un professionnel de santé</a>
      </p>
    </section>`;
  }

  private renderSlots(): unknown {
    const slots = this.slots;
    return html`<section class="fr-mb-6w" aria-labelledby="home-slots-title">
      <h2 id="home-slots-title">Mes prochains créneaux</h2>
      ${this.slotsError
        ? html`<div class="fr-alert fr-alert--error fr-alert--sm" role="alert"><p>${this.slotsError}</p></div>`
        : nothing}
      ${slots === null
        ? html`<p aria-busy="true">Chargement de vos créneaux…</p>`
        : slots.length === 0
          ? this.slotsError
            ? nothing
            : html`<p>Vous n'avez aucun créneau à venir. Les créneaux que vous publiez apparaîtront ici.</p>`
          : html`<div class="fr-table fr-table--no-caption">
              <div class="fr-table__wrapper">
                <div class="fr-table__container">
                  <div class="fr-table__content">
                    <table>
                      <caption>Mes prochains créneaux</caption>
                      <thead>
                        <tr>
                          <th scope="col">Date</th>
                          <th scope="col">Début</th>
                          <th scope="col">Fin</th>
                          <th scope="col">Type de consultation</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${slots.map(
                          (slot) => html`<tr data-slot-id=${slot.slotId}>
                            <td>${dateFormat.format(new Date(slot.start))}</td>
                            <td>${timeFormat.format(new Date(slot.start))}</td>
                            <td>${timeFormat.format(new Date(slot.end))}</td>
                            <td>${consultationTypes(slot.consultationTypes)}</td>
                          </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>
                </div>
              </div>
            </div>`}
    </section>`;
  }

  private renderAccountManager(): unknown {
    return html`<section class="fr-mb-6w" aria-labelledby="home-accounts-title">
      <h2 id="home-accounts-title">Gestion des comptes</h2>
      <p>
        Créez les comptes des régulateurs et des IOA de vos territoires (${territories(this.me!, 'gestionnaire-comptes')})
        et désactivez ceux qui n'interviennent plus.
      </p>
      <p><a class="fr-btn fr-btn--secondary" href="/comptes">Gérer les comptes</a></p>
    </section>`;
  }

  private renderAuditor(): unknown {
    return html`<section class="fr-mb-6w" aria-labelledby="home-audit-title">
      <h2 id="home-audit-title">Audit</h2>
      <div class="fr-notice fr-notice--info">
        <div class="fr-container">
          <div class="fr-notice__body">
            <p class="fr-notice__title">
              Votre accès est en lecture seule : vous consultez les traces et les données de la plateforme sans pouvoir
              les modifier.
            </p>
          </div>
        </div>
      </div>
    </section>`;
  }

  private renderDescription(role: Role): unknown {
    return html`<section class="fr-mb-6w" aria-labelledby=${`home-${role}-title`}>
      <h2 id=${`home-${role}-title`}>${roleLabel(role)}</h2>
      <p>${ROLE_DESCRIPTIONS[role] ?? ''}</p>
      <p class="fr-text--sm">Territoires : ${territories(this.me!, role)}</p>
      ${role === 'gestionnaire-structure'
        ? html`<ul class="fr-btns-group fr-btns-group--inline-md">
            <li><a class="fr-btn fr-btn--secondary" href="/structures">Gérer mes structures</a></li>
            <li><a class="fr-btn fr-btn--tertiary" href="/agenda">Agendas des membres</a></li>
          </ul>`
        : nothing}
    </section>`;
  }

  private renderMessage(): unknown {
    const key = new URLSearchParams(location.search).get('message') ?? '';
    const message = Object.hasOwn(HOME_MESSAGES, key) ? HOME_MESSAGES[key] : undefined;
    if (!message) return nothing;
    return html`<div class="fr-alert fr-alert--warning fr-mb-4w" role="alert" data-message=${key}>
      <h2 class="fr-alert__title">${message.title}</h2>
      <p>${message.text}</p>
      <p class="fr-mt-1w"><a class="fr-link" href="/recherche">Rechercher un professionnel de santé</a></p>
    </div>`;
  }

  override render(): unknown {
    const me = this.me;
    if (!me) return nothing;
    const roles = [...new Set(me.roles.map((r) => r.role))];
    const regulation = roles.find((r) => r === 'regulateur-osnp' || r === 'ioa');
    return html`<h1>Bonjour ${me.givenName} ${me.familyName}</h1>
      ${this.renderMessage()}
      ${roles.length === 0
        ? html`<div class="fr-alert fr-alert--info fr-alert--sm"><p>Aucun rôle ne vous est encore attribué : contactez le gestionnaire de comptes de votre territoire.</p></div>`
        : nothing}
      ${regulation ? this.renderRegulation(regulation) : nothing} ${roles.includes('effecteur') ? this.renderSlots() : nothing}
      ${roles.includes('gestionnaire-comptes') ? this.renderAccountManager() : nothing}
      ${roles.includes('auditeur') ? this.renderAuditor() : nothing}
      ${roles.filter((r) => r in ROLE_DESCRIPTIONS).map((r) => this.renderDescription(r))}`;
  }
}

if (!customElements.get('sas-home')) customElements.define('sas-home', SasHome);

declare global {
  interface HTMLElementTagNameMap {
    'sas-home': SasHome;
  }
}
