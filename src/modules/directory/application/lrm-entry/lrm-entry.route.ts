/**
 * GET /sas/recherche — the entry of the LRM contextual search (INT_L01), a browser page (not an API):
 * - not logged in: the normal login, back to the same entry (with the patient's address already replaced by its
 *   INSEE code and rounded point: the login keeps its return path in the database, the address must not be);
 * - logged in, not a regulator: an HTML "access refused" page (403);
 * - no `origin`: the ordinary search page; `origin` empty or not an active LRM authority: the "flux disabled"
 *   page (403); address not found: the home page with a message; else the search page (303 each).
 * See lrm-entry.ts for the rules and the privacy rule on the address.
 */
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { hasRole } from '../../../../shared-kernel/auth/principal.ts';
import { policy, principalOf, type RouteDefinition, type RouteRegistry } from '../../../../shared-kernel/auth/route.ts';
import { toProblem } from '../../../../shared-kernel/http/problem-details.ts';
import type { Logger } from '../../../../shared-kernel/logging/logger.ts';
import { addressFreeEntryPath, resolveLrmEntry, type LrmEntryDeps } from './lrm-entry.ts';

export const LRM_ENTRY_PREFIX = '/sas';
export const LRM_ENTRY_PATH = '/recherche';

export interface LrmEntryRouteDeps extends LrmEntryDeps {
  readonly logger: Logger;
}

/** The parameters as the LRM sends them, for the OpenAPI document (the handler reads them leniently, see lrm-entry.ts). */
const lrmEntryQuery = z.object({
  origin: z.string().max(100).optional().describe('LRM authority (affectation_authority); absent: ordinary search; empty or unknown: flux disabled'),
  practitioner: z.string().max(100).optional().describe('médecin traitant: urn:oid:1.2.250.1.71.4.2.1|8{RPPS}'),
  specialty: z.string().max(100).optional().describe('urn:oid:1.2.250.1.213.2.28|SMxx (TRE_R38) or urn:oid:1.2.250.1.71.1.2.7|{code} (TRE_G15); default: médecine générale'),
  streetnumber: z.string().max(20).optional().describe("patient's street number (digits kept); never stored nor logged"),
  streetname: z.string().max(200).optional().describe("patient's street; never stored nor logged"),
  city: z.string().max(100).optional().describe("patient's commune, when no INSEE code; never stored nor logged"),
  inseecode: z.string().max(10).optional().describe('INSEE code of the commune (arrondissements of Paris, Lyon, Marseille accepted)'),
});

const REGULATION_ROLES = ['regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur'] as const;

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A server-rendered DSFR page (no script: the content security policy allows none inline). */
function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Service d'accès aux soins</title>
<link rel="stylesheet" href="/assets/dsfr/dsfr.min.css">
<link rel="stylesheet" href="/assets/dsfr/utility/icons/icons.min.css">
<link rel="icon" href="/assets/dsfr/favicon/favicon.svg" type="image/svg+xml">
</head>
<body>
<header role="banner" class="fr-header">
<div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
<div class="fr-header__brand fr-enlarge-link">
<div class="fr-header__brand-top"><div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div></div>
<div class="fr-header__service"><a href="/" title="Accueil - Service d'accès aux soins"><p class="fr-header__service-title">Service d'accès aux soins</p></a></div>
</div>
</div></div></div>
</header>
<main id="contenu" role="main">
<div class="fr-container fr-my-6w">
${body}
</div>
</main>
</body>
</html>`;
}

function sendPage(res: Response, status: number, title: string, body: string): void {
  res.status(status).set('cache-control', 'no-store').type('text/html; charset=utf-8').send(page(title, body));
}

/** The results area of the real platform, replaced by the SAMU error block. */
function fluxDisabledPage(res: Response, origin: string | null): void {
  const which = origin ? ` (origine « ${escapeHtml(origin)} »)` : origin === '' ? ' (origine non renseignée)' : '';
  sendPage(
    res,
    403,
    'Flux LRM désactivé',
    `<h1>Recherche depuis votre logiciel de régulation</h1>
<div class="fr-alert fr-alert--error fr-mb-4w" role="alert" data-lrm-error="flux-desactive">
<h2 class="fr-alert__title">Le flux LRM vers la plateforme SAS est désactivé</h2>
<p>Le flux entre votre logiciel de régulation médicale (LRM) et la plateforme numérique du SAS est désactivé pour cette origine${which}.
Aucun résultat ne peut être affiché. Contactez le support de la plateforme SAS pour faire activer le flux de votre SAMU.</p>
</div>
<ul class="fr-btns-group fr-btns-group--inline-md">
<li><a class="fr-btn" href="/recherche">Faire une recherche sans le contexte du LRM</a></li>
<li><a class="fr-btn fr-btn--secondary" href="/">Retour à l'accueil</a></li>
</ul>`,
  );
}

function errorPage(res: Response, status: number, detail: string): void {
  const title = status === 403 ? 'Accès refusé' : status >= 500 ? 'Erreur' : 'Requête invalide';
  sendPage(
    res,
    status,
    title,
    `<h1>${escapeHtml(title)}</h1>
<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${escapeHtml(detail)}</p></div>
<ul class="fr-btns-group fr-btns-group--inline-md"><li><a class="fr-btn" href="/">Retour à l'accueil</a></li></ul>`,
  );
}

/** The route, with its policy, as the route registry records it. */
export function lrmEntryRoute(deps: LrmEntryRouteDeps): RouteDefinition {
  return {
    method: 'get',
    path: LRM_ENTRY_PATH,
    summary: 'LRM contextual search entry (INT_L01): redirects to the search page, the home page or the "flux disabled" page',
    docs: { query: lrmEntryQuery },
    policy: policy('régulation (régulateur/OSNP, IOA), référent territorial, administrateur national, auditeur', (p) => hasRole(p, ...REGULATION_ROLES)),
    async handle(req, res) {
      const outcome = await resolveLrmEntry(req.query, deps);
      // What happened, for the platform's analytics — never the address (see lrm-entry.ts).
      deps.logger.info({ lrm: { outcome: outcome.kind, ...outcome.analytics } }, 'lrm contextual search');
      if (outcome.kind === 'flux-disabled') {
        fluxDisabledPage(res, outcome.origin);
        return;
      }
      res.set('cache-control', 'no-store').redirect(303, outcome.location);
    },
  };
}

/** Not logged in: the normal login, coming back to this entry without the address (see addressFreeEntryPath). */
function loginFirst(deps: LrmEntryRouteDeps): RequestHandler {
  return async (req, res, next) => {
    if (principalOf(res) !== null) {
      next();
      return;
    }
    const returnTo = await addressFreeEntryPath(`${LRM_ENTRY_PREFIX}${LRM_ENTRY_PATH}`, req.query, deps);
    res.set('cache-control', 'no-store').redirect(303, `/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  };
}

/** Errors of these pages as HTML pages; the URL (it holds the address) is never logged nor echoed. */
function htmlErrors(logger: Logger): ErrorRequestHandler {
  return (error, req: Request, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500) logger.error({ err: error, path: req.path }, 'request failed');
    errorPage(res, problem.status, problem.status >= 500 ? 'Une erreur inattendue est survenue ; elle a été journalisée. Réessayez depuis votre logiciel de régulation.' : (problem.detail ?? problem.title));
  };
}

/** The `/sas` router: mounts the route in the registry (authorisation matrix, route table) behind the login step. */
export function lrmEntryRouter(deps: LrmEntryRouteDeps, registry: RouteRegistry): Router {
  const router = Router();
  router.get(LRM_ENTRY_PATH, loginFirst(deps));
  registry.mount(router, LRM_ENTRY_PREFIX, [lrmEntryRoute(deps)]);
  router.use(htmlErrors(deps.logger));
  return router;
}
