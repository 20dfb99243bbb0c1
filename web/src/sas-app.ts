import { LitElement, html, nothing } from 'lit';
import { ApiError, getMe, hasRole, type Me } from './api.ts';
import './sas-header.ts';
import './sas-login-view.ts';
import './sas-home.ts';
import './sas-link-account.ts';
import './sas-accounts.ts';
import './sas-profile.ts';
import './sas-search.ts';
import './sas-agenda-page.ts';
import './sas-structures.ts';

const SERVICE = "Service d'accès aux soins";

/** Paths the server answers itself: links to them are real navigations, never client-side routes. */
const SERVER_PATHS = ['/api', '/auth', '/dev-idp', '/healthz', '/readyz', '/metrics', '/assets', '/sas/recherche'];

type View = 'loading' | 'login' | 'link' | 'home' | 'profile' | 'accounts' | 'search' | 'agenda' | 'structures' | 'forbidden' | 'accessibility' | 'not-found';

function isServerPath(pathname: string): boolean {
  return SERVER_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** Root of the SAS web application: session, client routing, page layout. */
export class SasApp extends LitElement {
  static override properties = {
    me: { state: true },
    loaded: { state: true },
    loadError: { state: true },
    path: { state: true },
    search: { state: true },
  };

  declare me: Me | null;
  declare loaded: boolean;
  declare loadError: string | null;
  declare path: string;
  /** The query string of the URL (pages whose state is in it, /structures?id=…, follow it). */
  declare search: string;
  private focusAfterRender = false;

  constructor() {
    super();
    this.me = null;
    this.loaded = false;
    this.loadError = null;
    this.path = location.pathname;
    this.search = location.search;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  private readonly onPopState = (): void => {
    this.path = location.pathname;
    this.search = location.search;
    this.focusAfterRender = true;
  };

  private readonly onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!anchor || !anchor.href || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href);
    if (url.origin !== location.origin || isServerPath(url.pathname)) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor (skip links)
    event.preventDefault();
    this.navigate(url.pathname + url.search);
  };

  private readonly onNavigate = (event: Event): void => {
    const path = (event as CustomEvent<{ path: string }>).detail?.path;
    if (path) this.navigate(path);
  };

  private readonly onSessionChanged = (): void => {
    void this.loadMe();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPopState);
    this.addEventListener('click', this.onClick);
    this.addEventListener('sas-navigate', this.onNavigate);
    this.addEventListener('sas-session-changed', this.onSessionChanged);
    void this.loadMe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.onPopState);
    this.removeEventListener('click', this.onClick);
    this.removeEventListener('sas-navigate', this.onNavigate);
    this.removeEventListener('sas-session-changed', this.onSessionChanged);
  }

  navigate(path: string): void {
    if (path !== location.pathname + location.search) history.pushState(null, '', path);
    this.path = location.pathname;
    this.search = location.search;
    this.focusAfterRender = true;
    window.scrollTo(0, 0);
  }

  private async loadMe(): Promise<void> {
    this.loadError = null;
    try {
      this.me = await getMe();
    } catch (e) {
      this.me = null;
      this.loadError = e instanceof ApiError ? e.problem.detail : 'Le service est momentanément indisponible.';
    } finally {
      this.loaded = true;
    }
  }

  private view(): View {
    const known = ['/', '/profil', '/comptes', '/recherche', '/agenda', '/structures'];
    if (this.path === '/accessibilite') return 'accessibility';
    if (!known.includes(this.path)) return 'not-found';
    if (!this.loaded) return 'loading';
    const me = this.me;
    if (!me) return 'login';
    if (me.status === 'link-required') return 'link';
    if (this.path === '/profil') return 'profile';
    if (this.path === '/recherche') return 'search';
    if (this.path === '/agenda') return 'agenda';
    if (this.path === '/comptes') return hasRole(me, 'gestionnaire-comptes') ? 'accounts' : 'forbidden';
    if (this.path === '/structures') return hasRole(me, 'gestionnaire-structure', 'admin-national') ? 'structures' : 'forbidden';
    return 'home';
  }

  private titleOf(view: View): string {
    switch (view) {
      case 'loading':
        return 'Chargement';
      case 'login':
        return 'Connexion';
      case 'link':
        return 'Finaliser la création de votre compte';
      case 'home':
        return 'Accueil';
      case 'profile':
        return 'Mon profil';
      case 'accounts':
        return 'Gestion des comptes';
      case 'search':
        return 'Rechercher un professionnel de santé';
      case 'agenda':
        return hasRole(this.me, 'effecteur') ? 'Mon agenda' : 'Agendas des effecteurs';
      case 'structures':
        return 'Structures';
      case 'forbidden':
        return 'Accès refusé';
      case 'accessibility':
        return 'Accessibilité';
      case 'not-found':
        return 'Page non trouvée';
    }
  }

  protected override updated(): void {
    const title = `${this.titleOf(this.view())} - ${SERVICE}`;
    if (document.title !== title) document.title = title;
    if (this.focusAfterRender) {
      this.focusAfterRender = false;
      this.querySelector<HTMLElement>('#contenu')?.focus({ preventScroll: true });
    }
  }

  private renderView(view: View): unknown {
    const me = this.me;
    switch (view) {
      case 'loading':
        return html`<p aria-busy="true" class="fr-my-6w">Chargement…</p>`;
      case 'login':
        return html`<sas-login-view .returnTo=${this.path + location.search}></sas-login-view>`;
      case 'link':
        return html`<sas-link-account .me=${me}></sas-link-account>`;
      case 'home':
        return html`<sas-home .me=${me}></sas-home>`;
      case 'profile':
        return html`<sas-profile .me=${me}></sas-profile>`;
      case 'accounts':
        return html`<sas-accounts .me=${me}></sas-accounts>`;
      case 'search':
        return this.renderSearch();
      case 'agenda':
        return html`<sas-agenda-page .me=${me}></sas-agenda-page>`;
      case 'structures':
        return html`<sas-structures .me=${me} .search=${this.search}></sas-structures>`;
      case 'forbidden':
        return html`<h1>Accès refusé</h1>
          <p class="fr-text--lead">
            ${this.path === '/structures'
              ? 'Cette page est réservée aux gestionnaires de structure et aux administrateurs nationaux.'
              : 'Cette page est réservée aux gestionnaires de comptes.'}
          </p>
          <p><a class="fr-btn" href="/">Retour à l'accueil</a></p>`;
      case 'accessibility':
        return html`<h1>Déclaration d'accessibilité</h1>
          <p>
            Le Service d'accès aux soins s'engage à rendre ses services numériques accessibles, conformément à
            l'article 47 de la loi n° 2005-102 du 11 février 2005.
          </p>
          <h2>État de conformité</h2>
          <p>
            Le site n'a pas encore fait l'objet d'un audit de conformité au RGAA : il est donc
            <strong>non conforme</strong>. Les pages sont vérifiées automatiquement à chaque évolution.
          </p>`;
      case 'not-found':
        return html`<div class="fr-my-7w fr-mt-md-12w fr-mb-md-10w">
          <h1>Page non trouvée</h1>
          <p class="fr-text--sm fr-mb-3w">Erreur 404</p>
          <p class="fr-text--lead fr-mb-3w">La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.</p>
          <p class="fr-text--sm fr-mb-5w">
            Si vous avez tapé l'adresse web dans le navigateur, vérifiez qu'elle est correcte. La page n'est peut-être
            plus disponible. Dans ce cas, pour continuer votre visite, vous pouvez consulter notre page d'accueil.
          </p>
          <ul class="fr-btns-group fr-btns-group--inline-md">
            <li><a class="fr-btn" href="/">Page d'accueil</a></li>
          </ul>
        </div>`;
    }
  }

  /**
   * The search page; its URL parameters become attributes: `inseecode`, `city`, `specialty`, `filiere`,
   * `practitioner` (RPPS), and from the LRM entry (/sas/recherche) `lat`, `lon`, `radiusKm` (the patient's place,
   * rounded), `lrm=1` and `mt=non-identifie` (the LRM sent a médecin traitant that could not be identified).
   */
  private renderSearch(): unknown {
    const q = new URLSearchParams(location.search);
    const attr = (name: string) => q.get(name) || nothing;
    return html`<h1>Rechercher un professionnel de santé</h1>
      ${q.get('lrm') === '1'
        ? html`<p class="fr-badge fr-badge--info fr-badge--sm fr-mb-2w" data-lrm="1">Recherche ouverte depuis votre logiciel de régulation</p>`
        : nothing}
      ${q.get('mt') === 'non-identifie'
        ? html`<div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-3w" role="status" data-notice="mt-non-identifie">
            <p>
              <strong>Médecin traitant non identifié</strong> : l'identifiant transmis par votre logiciel de régulation n'a
              pas été reconnu ; les résultats ne mettent pas de médecin traitant en avant.
            </p>
          </div>`
        : nothing}
      <sas-search
        inseecode=${attr('inseecode')}
        city=${attr('city')}
        specialty=${attr('specialty')}
        filiere=${attr('filiere')}
        practitioner=${attr('practitioner')}
        lat=${attr('lat')}
        lon=${attr('lon')}
        radius-km=${attr('radiusKm')}
      ></sas-search>`;
  }

  override render(): unknown {
    const view = this.view();
    return html`<div class="fr-skiplinks">
        <nav class="fr-container" role="navigation" aria-label="Accès rapide">
          <ul class="fr-skiplinks__list">
            <li><a class="fr-link" href="#contenu">Contenu</a></li>
            <li><a class="fr-link" href="#pied-de-page">Pied de page</a></li>
          </ul>
        </nav>
      </div>
      <sas-header .me=${this.me} .path=${this.path}></sas-header>
      <main id="contenu" role="main" tabindex="-1">
        <div class="fr-container fr-my-6w" data-view=${view}>
          ${this.loadError
            ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
                <h2 class="fr-alert__title">Service momentanément indisponible</h2>
                <p>${this.loadError}</p>
              </div>`
            : nothing}
          ${this.renderView(view)}
        </div>
      </main>
      ${this.renderFooter()}`;
  }

  private renderFooter(): unknown {
    return html`<footer class="fr-footer" role="contentinfo" id="pied-de-page" tabindex="-1">
      <div class="fr-container">
        <div class="fr-footer__body">
          <div class="fr-footer__brand fr-enlarge-link">
            <a href="/" title="Retour à l'accueil du site - Service d'accès aux soins - République Française">
              <p class="fr-logo">République<br />Française</p>
            </a>
          </div>
          <div class="fr-footer__content">
            <p class="fr-footer__content-desc">
              Le Service d'accès aux soins (SAS) est une réimplémentation ouverte de la plateforme numérique qui aide les
              régulateurs à orienter les patients vers un professionnel de santé de ville.
            </p>
            <ul class="fr-footer__content-list">
              <li class="fr-footer__content-item">
                <a class="fr-footer__content-link" target="_blank" rel="noopener" title="sante.gouv.fr - nouvelle fenêtre" href="https://sante.gouv.fr">sante.gouv.fr</a>
              </li>
              <li class="fr-footer__content-item">
                <a class="fr-footer__content-link" target="_blank" rel="noopener" title="service-public.fr - nouvelle fenêtre" href="https://www.service-public.fr">service-public.fr</a>
              </li>
              <li class="fr-footer__content-item">
                <a class="fr-footer__content-link" target="_blank" rel="noopener" title="esante.gouv.fr - nouvelle fenêtre" href="https://esante.gouv.fr">esante.gouv.fr</a>
              </li>
            </ul>
          </div>
        </div>
        <div class="fr-footer__bottom">
          <ul class="fr-footer__bottom-list">
            <li class="fr-footer__bottom-item">
              <a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : non conforme</a>
            </li>
          </ul>
          <div class="fr-footer__bottom-copy">
            <p>
              Sauf mention explicite de propriété intellectuelle détenue par des tiers, les contenus de ce site sont
              proposés sous
              <a href="https://github.com/etalab/licence-ouverte/blob/master/LO.md" target="_blank" rel="noopener" title="Licence etalab 2.0 - nouvelle fenêtre">licence etalab-2.0</a>
            </p>
          </div>
        </div>
      </div>
    </footer>`;
  }
}

if (!customElements.get('sas-app')) customElements.define('sas-app', SasApp);

declare global {
  interface HTMLElementTagNameMap {
    'sas-app': SasApp;
  }
}
