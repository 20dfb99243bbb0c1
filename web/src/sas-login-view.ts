import { LitElement, html } from 'lit';
import { loginHref } from './api.ts';

/** Anonymous home: what the service is and the Pro Santé Connect entry point. */
export class SasLoginView extends LitElement {
  static override properties = {
    returnTo: { type: String },
  };

  declare returnTo: string;

  constructor() {
    super();
    this.returnTo = '/';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override render(): unknown {
    return html`<div class="fr-grid-row fr-grid-row--gutters">
      <div class="fr-col-12 fr-col-md-8">
        <h1>Bienvenue sur le Service d'accès aux soins</h1>
        <p class="fr-text--lead">
          Le Service d'accès aux soins (SAS) permet aux régulateurs des centres 15 d'orienter les patients sans
          médecin traitant disponible vers un professionnel de santé de ville, dans les 48 heures.
        </p>
        <p>
          La plateforme est réservée aux professionnels de santé et aux personnels habilités : régulateurs, opérateurs
          de soins non programmés, effecteurs, structures de soins et gestionnaires. L'accès se fait avec votre carte
          CPS, e-CPS ou votre identité Pro Santé Connect.
        </p>
        <p>
          <a class="fr-btn fr-btn--lg fr-btn--icon-left fr-icon-account-circle-line" href=${loginHref(this.returnTo)}>
            S'identifier avec Pro Santé Connect
          </a>
        </p>
        <p class="fr-text--sm">
          Vous n'avez pas encore d'identité Pro Santé Connect ? Activez votre e-CPS depuis l'application mobile e-CPS
          ou rapprochez-vous du gestionnaire de comptes de votre territoire.
        </p>
      </div>
      <div class="fr-col-12 fr-col-md-4">
        <div class="fr-callout">
          <h2 class="fr-callout__title">Patients</h2>
          <p class="fr-callout__text">
            Vous cherchez un médecin ? En cas de besoin de soins urgents, appelez le 15 ou le 116 117 en dehors des
            heures d'ouverture des cabinets. Ce site est réservé aux professionnels.
          </p>
        </div>
      </div>
    </div>`;
  }
}

if (!customElements.get('sas-login-view')) customElements.define('sas-login-view', SasLoginView);

declare global {
  interface HTMLElementTagNameMap {
    'sas-login-view': SasLoginView;
  }
}
