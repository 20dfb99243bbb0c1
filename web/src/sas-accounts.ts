import { LitElement, html, nothing } from 'lit';
import { ApiError, getJson, postJson, roleLabel, territoriesOf, type Me, type RoleGrant } from './api.ts';

type AccountStatus = 'pending-link' | 'active' | 'deactivated';

interface Account {
  readonly accountId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  readonly roles: readonly RoleGrant[];
  readonly status: AccountStatus;
}

type Field = 'givenName' | 'familyName' | 'email' | 'role' | 'territory';

const STATUS: Record<AccountStatus, { label: string; badge: string }> = {
  'pending-link': { label: 'En attente de première connexion', badge: 'fr-badge--new' },
  active: { label: 'Actif', badge: 'fr-badge--success' },
  deactivated: { label: 'Désactivé', badge: '' },
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function emptyForm(territory: string): Record<Field, string> {
  return { givenName: '', familyName: '', email: '', role: 'regulateur-osnp', territory };
}

/** Account management for the gestionnaire de comptes: list, creation, deactivation. */
export class SasAccounts extends LitElement {
  static override properties = {
    me: { attribute: false },
    accounts: { state: true },
    listError: { state: true },
    values: { state: true },
    fieldErrors: { state: true },
    formError: { state: true },
    success: { state: true },
    confirming: { state: true },
    busy: { state: true },
  };

  declare me: Me | null;
  declare accounts: readonly Account[] | null;
  declare listError: string | null;
  declare values: Record<Field, string>;
  declare fieldErrors: Partial<Record<Field, string>>;
  declare formError: string | null;
  declare success: string | null;
  declare confirming: string | null;
  declare busy: boolean;

  constructor() {
    super();
    this.me = null;
    this.accounts = null;
    this.listError = null;
    this.values = emptyForm('');
    this.fieldErrors = {};
    this.formError = null;
    this.success = null;
    this.confirming = null;
    this.busy = false;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** Territories the manager administers. */
  private territories(): string[] {
    return territoriesOf(this.me, 'gestionnaire-comptes');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.values = emptyForm(this.territories()[0] ?? '');
    void this.load();
  }

  /**
   * The list is a read model, updated a few milliseconds after a write: after a change, reload until it shows
   * the change (at most 5 s), so the table never contradicts the success message.
   */
  private async loadUntil(shows: (items: readonly Account[]) => boolean): Promise<void> {
    const deadline = Date.now() + 5_000;
    await this.load();
    while (!shows(this.accounts ?? []) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await this.load();
    }
  }

  private async load(): Promise<void> {
    this.listError = null;
    try {
      const { items } = await getJson<{ items: Account[] }>('/api/identity/accounts');
      this.accounts = items;
    } catch (e) {
      this.listError = e instanceof ApiError ? e.problem.detail : 'Impossible de charger la liste des comptes.';
      this.accounts = [];
    }
  }

  private async focusOn(selector: string): Promise<void> {
    await this.updateComplete;
    this.querySelector<HTMLElement>(selector)?.focus();
  }

  private onInput(field: Field, event: Event): void {
    this.values = { ...this.values, [field]: (event.target as HTMLInputElement | HTMLSelectElement).value };
  }

  private validate(): boolean {
    const v = { ...this.values };
    for (const k of Object.keys(v) as Field[]) v[k] = v[k].trim();
    const errors: Partial<Record<Field, string>> = {};
    if (!v.givenName) errors.givenName = 'Saisissez le prénom.';
    if (!v.familyName) errors.familyName = 'Saisissez le nom.';
    if (!v.email) errors.email = 'Saisissez l’adresse e-mail professionnelle.';
    else if (!EMAIL.test(v.email)) errors.email = 'Saisissez une adresse e-mail valide, par exemple prenom.nom@chu-exemple.fr.';
    if (v.role !== 'regulateur-osnp' && v.role !== 'ioa') errors.role = 'Choisissez un rôle.';
    if (!v.territory) errors.territory = 'Indiquez le département.';
    this.values = v;
    this.fieldErrors = errors;
    return Object.keys(errors).length === 0;
  }

  private async onCreate(event: Event): Promise<void> {
    event.preventDefault();
    this.formError = null;
    this.success = null;
    if (!this.validate()) {
      void this.focusOn('#account-form [aria-invalid="true"]');
      return;
    }
    this.busy = true;
    try {
      const { accountId } = await postJson<{ accountId: string }>('/api/identity/accounts', this.values);
      this.success = `Le compte de ${this.values.givenName} ${this.values.familyName} (${roleLabel(this.values.role)}) a été créé. Il sera activé lors de sa première connexion avec Pro Santé Connect.`;
      this.values = emptyForm(this.values.territory);
      await this.loadUntil((items) => items.some((a) => a.accountId === accountId));
      void this.focusOn('#accounts-success');
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : null;
      this.formError = problem?.detail ?? 'La création du compte a échoué : réessayez.';
      const fieldErrors: Partial<Record<Field, string>> = {};
      for (const field of ['givenName', 'familyName', 'email', 'role', 'territory'] as const) {
        const message = problem?.fieldErrors[field];
        if (message) fieldErrors[field] = message;
      }
      this.fieldErrors = fieldErrors;
      void this.focusOn('#account-form-error');
    } finally {
      this.busy = false;
    }
  }

  private askDeactivation(accountId: string): void {
    this.confirming = accountId;
    this.success = null;
    this.listError = null;
    void this.focusOn('#deactivate-confirm');
  }

  private cancelDeactivation(): void {
    const id = this.confirming;
    this.confirming = null;
    if (id) void this.focusOn(`[data-deactivate="${CSS.escape(id)}"]`);
  }

  private async deactivate(account: Account): Promise<void> {
    this.busy = true;
    try {
      await postJson(`/api/identity/accounts/${encodeURIComponent(account.accountId)}/deactivate`);
      this.confirming = null;
      this.success = `Le compte de ${account.givenName} ${account.familyName} a été désactivé.`;
      await this.loadUntil((items) => items.some((a) => a.accountId === account.accountId && a.status === 'deactivated'));
      void this.focusOn('#accounts-success');
    } catch (e) {
      this.confirming = null;
      this.listError = e instanceof ApiError ? e.problem.detail : 'La désactivation a échoué : réessayez.';
      void this.focusOn('#accounts-list-error');
    } finally {
      this.busy = false;
    }
  }

  private renderInput(field: Field, label: string, type: string, autocomplete: string, hint = ''): unknown {
    const error = this.fieldErrors[field];
    const id = `account-${field}`;
    return html`<div class="fr-fieldset__element">
      <div class="fr-input-group ${error ? 'fr-input-group--error' : ''}">
        <label class="fr-label" for=${id}>${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : nothing}</label>
        <input
          class="fr-input ${error ? 'fr-input--error' : ''}"
          id=${id}
          name=${field}
          type=${type}
          autocomplete=${autocomplete}
          required
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? `${id}-error` : nothing}
          .value=${this.values[field]}
          @input=${(e: Event) => this.onInput(field, e)}
        />
        ${error ? html`<p class="fr-error-text" id=${`${id}-error`}>${error}</p>` : nothing}
      </div>
    </div>`;
  }

  private renderSelect(field: Field, label: string, options: readonly { value: string; label: string }[]): unknown {
    const error = this.fieldErrors[field];
    const id = `account-${field}`;
    return html`<div class="fr-fieldset__element">
      <div class="fr-select-group ${error ? 'fr-select-group--error' : ''}">
        <label class="fr-label" for=${id}>${label}</label>
        <select
          class="fr-select ${error ? 'fr-select--error' : ''}"
          id=${id}
          name=${field}
          required
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? `${id}-error` : nothing}
          @change=${(e: Event) => this.onInput(field, e)}
        >
          ${options.map((o) => html`<option value=${o.value} ?selected=${this.values[field] === o.value}>${o.label}</option>`)}
        </select>
        ${error ? html`<p class="fr-error-text" id=${`${id}-error`}>${error}</p>` : nothing}
      </div>
    </div>`;
  }

  private renderForm(): unknown {
    const territories = this.territories();
    return html`<section class="fr-mb-6w" aria-labelledby="account-form-title">
      <h2 id="account-form-title">Créer un compte</h2>
      ${this.formError
        ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert" id="account-form-error" tabindex="-1">
            <h3 class="fr-alert__title">Le compte n'a pas été créé</h3>
            <p>${this.formError}</p>
          </div>`
        : nothing}
      <form id="account-form" novalidate @submit=${(e: Event) => this.onCreate(e)}>
        <fieldset class="fr-fieldset" aria-labelledby="account-legend">
          <legend class="fr-fieldset__legend" id="account-legend">Régulateur ou IOA à habiliter</legend>
          ${this.renderInput('givenName', 'Prénom', 'text', 'off')} ${this.renderInput('familyName', 'Nom', 'text', 'off')}
          ${this.renderInput('email', 'Adresse e-mail professionnelle', 'email', 'off', 'Format attendu : prenom.nom@etablissement.fr')}
          ${this.renderSelect('role', 'Rôle', [
            { value: 'regulateur-osnp', label: roleLabel('regulateur-osnp') },
            { value: 'ioa', label: roleLabel('ioa') },
          ])}
          ${territories.length
            ? this.renderSelect(
                'territory',
                'Département',
                territories.map((t) => ({ value: t, label: t })),
              )
            : this.renderInput('territory', 'Département', 'text', 'off', 'Code du département, par exemple 31, 2A ou 974')}
        </fieldset>
        <button type="submit" class="fr-btn" ?disabled=${this.busy}>Créer le compte</button>
      </form>
    </section>`;
  }

  private renderConfirmation(account: Account): unknown {
    return html`<div class="fr-callout fr-mt-2w" role="group" aria-labelledby="deactivate-confirm">
      <p class="fr-callout__text" id="deactivate-confirm" tabindex="-1">
        Confirmez-vous la désactivation du compte de ${account.givenName} ${account.familyName} ? Cette personne ne
        pourra plus se connecter au Service d'accès aux soins.
      </p>
      <ul class="fr-btns-group fr-btns-group--inline-sm fr-mt-2w">
        <li><button type="button" class="fr-btn" ?disabled=${this.busy} @click=${() => this.deactivate(account)}>Confirmer la désactivation</button></li>
        <li><button type="button" class="fr-btn fr-btn--secondary" ?disabled=${this.busy} @click=${() => this.cancelDeactivation()}>Annuler</button></li>
      </ul>
    </div>`;
  }

  private renderList(): unknown {
    const accounts = this.accounts;
    const confirming = accounts?.find((a) => a.accountId === this.confirming);
    return html`<section class="fr-mb-6w" aria-labelledby="accounts-list-title">
      <h2 id="accounts-list-title">Comptes de vos territoires</h2>
      ${this.listError
        ? html`<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert" id="accounts-list-error" tabindex="-1"><p>${this.listError}</p></div>`
        : nothing}
      ${accounts === null
        ? html`<p aria-busy="true">Chargement des comptes…</p>`
        : accounts.length === 0
          ? html`<p>Aucun compte n'a encore été créé.</p>`
          : html`<div class="fr-table fr-table--no-caption">
              <div class="fr-table__wrapper">
                <div class="fr-table__container">
                  <div class="fr-table__content">
                    <table>
                      <caption>Comptes de vos territoires</caption>
                      <thead>
                        <tr>
                          <th scope="col">Nom</th>
                          <th scope="col">Adresse e-mail</th>
                          <th scope="col">Rôles et territoires</th>
                          <th scope="col">Statut</th>
                          <th scope="col">Action</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${accounts.map(
                          (a) => html`<tr data-account-id=${a.accountId}>
                            <td>${a.givenName} ${a.familyName}</td>
                            <td>${a.email ?? '—'}</td>
                            <td>${a.roles.map((r) => `${roleLabel(r.role)} (${r.territories.join(', ') || 'national'})`).join(' ; ')}</td>
                            <td><p class="fr-badge fr-badge--sm ${STATUS[a.status]?.badge ?? ''}">${STATUS[a.status]?.label ?? a.status}</p></td>
                            <td>
                              ${a.status === 'deactivated'
                                ? nothing
                                : html`<button
                                    type="button"
                                    class="fr-btn fr-btn--sm fr-btn--tertiary"
                                    data-deactivate=${a.accountId}
                                    aria-label=${`Désactiver le compte de ${a.givenName} ${a.familyName}`}
                                    ?disabled=${this.busy}
                                    @click=${() => this.askDeactivation(a.accountId)}
                                  >
                                    Désactiver
                                  </button>`}
                            </td>
                          </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>
                </div>
              </div>
            </div>`}
      ${confirming ? this.renderConfirmation(confirming) : nothing}
    </section>`;
  }

  override render(): unknown {
    return html`<h1>Gestion des comptes</h1>
      <p>Habilitez les régulateurs et IOA de vos territoires. Chaque compte est activé lors de la première connexion de la personne avec Pro Santé Connect.</p>
      ${this.success
        ? html`<div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" role="status" id="accounts-success" tabindex="-1"><p>${this.success}</p></div>`
        : nothing}
      ${this.renderList()} ${this.renderForm()}`;
  }
}

if (!customElements.get('sas-accounts')) customElements.define('sas-accounts', SasAccounts);

declare global {
  interface HTMLElementTagNameMap {
    'sas-accounts': SasAccounts;
  }
}
