import { LitElement, html, nothing } from 'lit';
import { roleLabel, type Me } from './api.ts';

/** The logged-in user's own profile. */
export class SasProfile extends LitElement {
  static override properties = {
    me: { attribute: false },
  };

  declare me: Me | null;

  constructor() {
    super();
    this.me = null;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override render(): unknown {
    const me = this.me;
    if (!me) return nothing;
    return html`<h1>Mon profil</h1>
      <section class="fr-mb-6w" aria-labelledby="profile-identity-title">
        <h2 id="profile-identity-title">Identité</h2>
        <dl class="sas-profile">
          <dt class="fr-text--bold">Prénom</dt>
          <dd class="fr-mb-2w">${me.givenName}</dd>
          <dt class="fr-text--bold">Nom</dt>
          <dd class="fr-mb-2w">${me.familyName}</dd>
          <dt class="fr-text--bold">Identifiant national (RPPS / ADELI)</dt>
          <dd class="fr-mb-2w">${me.nationalId}</dd>
          <dt class="fr-text--bold">Adresse e-mail professionnelle</dt>
          <dd class="fr-mb-2w">${me.email ?? 'Non renseignée'}</dd>
          <dt class="fr-text--bold">Statut du compte</dt>
          <dd class="fr-mb-2w">
            ${me.status === 'active'
              ? html`<p class="fr-badge fr-badge--success fr-badge--sm">Actif</p>`
              : html`<p class="fr-badge fr-badge--new fr-badge--sm">Création à finaliser</p>`}
          </dd>
        </dl>
        <p class="fr-text--sm">
          Votre identité provient de Pro Santé Connect. Pour corriger votre nom, adressez-vous à l'Ordre ou à l'autorité
          d'enregistrement dont vous dépendez.
        </p>
      </section>
      <section aria-labelledby="profile-roles-title">
        <h2 id="profile-roles-title">Rôles et territoires</h2>
        ${me.roles.length === 0
          ? html`<p>Aucun rôle ne vous est attribué.</p>`
          : html`<div class="fr-table fr-table--no-caption">
              <div class="fr-table__wrapper">
                <div class="fr-table__container">
                  <div class="fr-table__content">
                    <table>
                      <caption>Rôles et territoires</caption>
                      <thead>
                        <tr>
                          <th scope="col">Rôle</th>
                          <th scope="col">Départements</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${me.roles.map(
                          (r) => html`<tr>
                            <td>${roleLabel(r.role)}</td>
                            <td>${r.territories.length ? r.territories.join(', ') : 'Tout le territoire national'}</td>
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
}

if (!customElements.get('sas-profile')) customElements.define('sas-profile', SasProfile);

declare global {
  interface HTMLElementTagNameMap {
    'sas-profile': SasProfile;
  }
}
