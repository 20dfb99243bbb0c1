import { LitElement, html, nothing } from 'lit';
import { ApiError, postJson, sessionChanged, type Me } from './api.ts';

type Field = 'givenName' | 'familyName' | 'email';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** First login of a regulator: confirm identity and professional e-mail, then link the account. */
export class SasLinkAccount extends LitElement {
  static override properties = {
    me: { attribute: false },
    step: { state: true },
    values: { state: true },
    fieldErrors: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare me: Me | null;
  declare step: 'form' | 'confirm';
  declare values: Record<Field, string>;
  declare fieldErrors: Partial<Record<Field, string>>;
  declare error: string | null;
  declare busy: boolean;
  private prefilledFor: string | null = null;

  constructor() {
    super();
    this.me = null;
    this.step = 'form';
    this.values = { givenName: '', familyName: '', email: '' };
    this.fieldErrors = {};
    this.error = null;
    this.busy = false;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(): void {
    const me = this.me;
    // Keyed by the national id: a first login has no account id yet.
    if (me && this.prefilledFor !== me.nationalId) {
      this.prefilledFor = me.nationalId;
      this.values = { givenName: me.givenName, familyName: me.familyName, email: me.email ?? '' };
    }
  }

  private onInput(field: Field, event: Event): void {
    this.values = { ...this.values, [field]: (event.target as HTMLInputElement).value };
  }

  private validate(): boolean {
    const errors: Partial<Record<Field, string>> = {};
    const v = { givenName: this.values.givenName.trim(), familyName: this.values.familyName.trim(), email: this.values.email.trim() };
    if (!v.givenName) errors.givenName = 'Saisissez votre prénom.';
    if (!v.familyName) errors.familyName = 'Saisissez votre nom.';
    if (!v.email) errors.email = 'Saisissez votre adresse e-mail professionnelle.';
    else if (!EMAIL.test(v.email)) errors.email = 'Saisissez une adresse e-mail valide, par exemple prenom.nom@chu-exemple.fr.';
    this.fieldErrors = errors;
    this.values = v;
    return Object.keys(errors).length === 0;
  }

  private async focusFirst(selector: string): Promise<void> {
    await this.updateComplete;
    this.querySelector<HTMLElement>(selector)?.focus();
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    this.error = null;
    if (!this.validate()) {
      void this.focusFirst('[aria-invalid="true"]');
      return;
    }
    this.step = 'confirm';
    void this.focusFirst('#link-confirm-title');
  }

  private async onConfirm(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await postJson('/api/identity/link', this.values);
      sessionChanged(this);
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : null;
      this.error = problem?.detail ?? 'La création de votre compte a échoué : réessayez.';
      const fieldErrors: Partial<Record<Field, string>> = {};
      for (const field of ['givenName', 'familyName', 'email'] as const) {
        const message = problem?.fieldErrors[field];
        if (message) fieldErrors[field] = message;
      }
      this.fieldErrors = fieldErrors;
      this.step = 'form';
      void this.focusFirst('#link-error');
    } finally {
      this.busy = false;
    }
  }

  private onBack(): void {
    this.step = 'form';
    void this.focusFirst('#link-givenName');
  }

  private renderField(field: Field, label: string, hint: string, type: string, autocomplete: string): unknown {
    const error = this.fieldErrors[field];
    const id = `link-${field}`;
    return html`<div class="fr-input-group ${error ? 'fr-input-group--error' : ''}">
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
    </div>`;
  }

  override render(): unknown {
    const errorAlert = this.error
      ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert" id="link-error" tabindex="-1">
          <h2 class="fr-alert__title">La création de votre compte n'a pas abouti</h2>
          <p>${this.error}</p>
        </div>`
      : nothing;
    if (this.step === 'confirm') {
      return html`<h1>Finaliser la création de votre compte</h1>
        <div class="fr-callout">
          <h2 class="fr-callout__title" id="link-confirm-title" tabindex="-1">Confirmation</h2>
          <p class="fr-callout__text">
            Confirmez-vous la création de votre compte au nom de <strong>${this.values.givenName} ${this.values.familyName}</strong>
            avec l'adresse e-mail professionnelle <strong>${this.values.email}</strong> ?
          </p>
          <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
            <li>
              <button type="button" class="fr-btn" ?disabled=${this.busy} @click=${() => this.onConfirm()}>
                Confirmer la création
              </button>
            </li>
            <li>
              <button type="button" class="fr-btn fr-btn--secondary" ?disabled=${this.busy} @click=${() => this.onBack()}>
                Modifier mes informations
              </button>
            </li>
          </ul>
        </div>`;
    }
    return html`<h1>Finaliser la création de votre compte</h1>
      <p>
        C'est votre première connexion au Service d'accès aux soins. Vérifiez les informations transmises par Pro Santé
        Connect et indiquez l'adresse e-mail professionnelle à laquelle vous souhaitez être contacté.
      </p>
      ${errorAlert}
      <form novalidate @submit=${(e: Event) => this.onSubmit(e)}>
        <fieldset class="fr-fieldset" aria-labelledby="link-legend">
          <legend class="fr-fieldset__legend" id="link-legend">Vos informations</legend>
          <div class="fr-fieldset__element">${this.renderField('givenName', 'Prénom', '', 'text', 'given-name')}</div>
          <div class="fr-fieldset__element">${this.renderField('familyName', 'Nom', '', 'text', 'family-name')}</div>
          <div class="fr-fieldset__element">
            ${this.renderField('email', 'Adresse e-mail professionnelle', 'Format attendu : prenom.nom@etablissement.fr', 'email', 'email')}
          </div>
        </fieldset>
        <p class="fr-text--sm">Tous les champs sont obligatoires.</p>
        <button type="submit" class="fr-btn">Continuer</button>
      </form>`;
  }
}

if (!customElements.get('sas-link-account')) customElements.define('sas-link-account', SasLinkAccount);

declare global {
  interface HTMLElementTagNameMap {
    'sas-link-account': SasLinkAccount;
  }
}
