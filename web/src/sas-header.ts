import { LitElement, html, nothing } from 'lit';
import { ApiError, loginHref, logout, roleLabel, type Me, type Role } from './api.ts';

interface NavItem {
  readonly href: string;
  readonly label: string;
}

/** Navigation entries for the roles of the user. */
export function navItemsFor(me: Me | null): NavItem[] {
  if (!me || me.status !== 'active') return [];
  const roles = new Set<Role>(me.roles.map((r) => r.role));
  const items: NavItem[] = [{ href: '/', label: 'Accueil' }];
  if (roles.has('regulateur-osnp') || roles.has('ioa')) items.push({ href: '/recherche', label: 'Recherche' });
  if (roles.has('effecteur')) items.push({ href: '/agenda', label: 'Mon agenda' });
  else if (roles.has('delegataire') || roles.has('gestionnaire-structure')) items.push({ href: '/agenda', label: 'Agendas' });
  if (roles.has('gestionnaire-structure') || roles.has('admin-national')) items.push({ href: '/structures', label: 'Structures' });
  if (roles.has('gestionnaire-comptes')) items.push({ href: '/comptes', label: 'Gestion des comptes' });
  items.push({ href: '/profil', label: 'Mon profil' });
  return items;
}

/** DSFR header: Marianne block, service name, user tools (name, role badges, log in/out) and the main navigation. */
export class SasHeader extends LitElement {
  static override properties = {
    me: { attribute: false },
    path: { type: String },
    menuOpen: { state: true },
    error: { state: true },
  };

  declare me: Me | null;
  declare path: string;
  declare menuOpen: boolean;
  declare error: string | null;

  constructor() {
    super();
    this.me = null;
    this.path = '/';
    this.menuOpen = false;
    this.error = null;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  private async onLogout(): Promise<void> {
    this.error = null;
    try {
      await logout();
    } catch (e) {
      this.error = e instanceof ApiError ? e.problem.detail : 'La déconnexion a échoué : réessayez.';
    }
  }

  private toggleMenu(open: boolean): void {
    this.menuOpen = open;
  }

  private renderTools(): unknown {
    const me = this.me;
    if (!me) {
      return html`<ul class="fr-btns-group">
        <li><a class="fr-btn fr-icon-account-circle-line" href=${loginHref()}>Se connecter</a></li>
      </ul>`;
    }
    const roles = [...new Set(me.roles.map((r) => r.role))];
    return html`<ul class="fr-btns-group">
      <li class="sas-user">
        <p class="fr-mb-0 fr-mr-2w fr-text--sm">
          <span class="fr-icon-user-line fr-mr-1v" aria-hidden="true"></span>${me.givenName} ${me.familyName}
          ${roles.map((role) => html` <span class="fr-badge fr-badge--sm fr-badge--blue-ecume fr-ml-1v">${roleLabel(role)}</span>`)}
        </p>
      </li>
      <li>
        <button type="button" class="fr-btn fr-icon-logout-box-r-line" @click=${() => this.onLogout()}>Se déconnecter</button>
      </li>
    </ul>`;
  }

  override render(): unknown {
    const items = navItemsFor(this.me);
    return html`<header role="banner" class="fr-header">
      <div class="fr-header__body">
        <div class="fr-container">
          <div class="fr-header__body-row">
            <div class="fr-header__brand fr-enlarge-link">
              <div class="fr-header__brand-top">
                <div class="fr-header__logo">
                  <p class="fr-logo">République<br />Française</p>
                </div>
                <div class="fr-header__navbar">
                  <button
                    type="button"
                    class="fr-btn--menu fr-btn"
                    aria-controls="sas-menu"
                    aria-expanded=${this.menuOpen ? 'true' : 'false'}
                    title="Menu"
                    @click=${() => this.toggleMenu(true)}
                  >
                    Menu
                  </button>
                </div>
              </div>
              <div class="fr-header__service">
                <a href="/" title="Accueil - Service d'accès aux soins">
                  <p class="fr-header__service-title">Service d'accès aux soins</p>
                </a>
                <p class="fr-header__service-tagline">Orienter chaque patient vers le bon soin, au bon moment</p>
              </div>
            </div>
            <div class="fr-header__tools">
              <div class="fr-header__tools-links">${this.renderTools()}</div>
            </div>
          </div>
        </div>
      </div>
      <div class="fr-header__menu fr-modal ${this.menuOpen ? 'fr-modal--opened' : ''}" id="sas-menu">
        <div class="fr-container">
          <button type="button" class="fr-btn--close fr-btn" aria-controls="sas-menu" title="Fermer" @click=${() => this.toggleMenu(false)}>
            Fermer
          </button>
          <div class="fr-header__menu-links">${this.renderTools()}</div>
          ${items.length
            ? html`<nav class="fr-nav" role="navigation" aria-label="Menu principal" @click=${() => this.toggleMenu(false)}>
                <ul class="fr-nav__list">
                  ${items.map(
                    (item) => html`<li class="fr-nav__item">
                      <a class="fr-nav__link" href=${item.href} aria-current=${this.path === item.href ? 'page' : nothing}>${item.label}</a>
                    </li>`,
                  )}
                </ul>
              </nav>`
            : nothing}
        </div>
      </div>
      ${this.error
        ? html`<div class="fr-container fr-mt-2w"><div class="fr-alert fr-alert--error fr-alert--sm" role="alert"><p>${this.error}</p></div></div>`
        : nothing}
    </header>`;
  }
}

if (!customElements.get('sas-header')) customElements.define('sas-header', SasHeader);

declare global {
  interface HTMLElementTagNameMap {
    'sas-header': SasHeader;
  }
}
