/** Browser-side helpers for the SAS HTTP API: identity of the session, CSRF-protected JSON calls, problem details. */

// One list of roles and labels for the server and the browser.
import { ROLE_LABELS, type Role } from '../../src/shared-kernel/auth/principal.ts';

export { ROLE_LABELS, type Role };

export function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}

export interface RoleGrant {
  readonly role: Role;
  readonly territories: readonly string[];
}

export interface Me {
  readonly accountId: string;
  readonly nationalId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  readonly status: 'active' | 'link-required';
  readonly roles: readonly RoleGrant[];
  readonly csrfToken: string;
}

/** Whether the user holds one of these roles. */
export function hasRole(me: Me | null, ...roles: readonly Role[]): boolean {
  return !!me?.roles.some((r) => roles.includes(r.role));
}

/** The départements of the user's grants of a role (each once, in grant order). */
export function territoriesOf(me: Me | null, role: Role): string[] {
  return [...new Set((me?.roles ?? []).filter((r) => r.role === role).flatMap((r) => r.territories))];
}

export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly code?: string;
  /** Field errors keyed by the last segment of their path (body.email → email). */
  readonly fieldErrors: Readonly<Record<string, string>>;
}

/** A failed API call; `problem` carries what the server said (or a French fallback). */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.problem = problem;
  }
}

let csrfToken: string | null = null;

/** The CSRF token of the current session (set by getMe). */
/**
 * The platform's origin: the one this script was loaded from. It is the page's own in the app shell; another one
 * when <sas-search> is embedded in an LRM page (/assets/sas-search.js, EMBED_ORIGINS): the API is then read across
 * origins, with the regulator's session cookie.
 */
const PLATFORM_ORIGIN = new URL(import.meta.url).origin;
const EMBEDDED = PLATFORM_ORIGIN !== location.origin;
const CREDENTIALS: RequestCredentials = EMBEDDED ? 'include' : 'same-origin';

/** A path of the platform (`/api/…`, `/auth/…`) as a URL this page can use: absolute when embedded elsewhere. */
export function platformUrl(path: string): string {
  return EMBEDDED ? new URL(path, PLATFORM_ORIGIN).href : path;
}

export function currentCsrfToken(): string | null {
  return csrfToken;
}

const FALLBACK_DETAIL: Record<number, string> = {
  400: 'La requête est invalide.',
  401: 'Votre session a expiré : reconnectez-vous.',
  403: 'Vous n’avez pas les droits nécessaires pour cette action.',
  404: 'La ressource demandée est introuvable.',
  409: 'La ressource a été modifiée entre-temps : rechargez la page et réessayez.',
  503: 'Le service est momentanément indisponible : réessayez dans quelques instants.',
};

/** Reads an error response as problem+json when possible, else builds a French fallback. */
export async function readProblem(response: Response): Promise<Problem> {
  let body: unknown = null;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  const b = (body && typeof body === 'object' ? body : {}) as {
    title?: unknown;
    detail?: unknown;
    code?: unknown;
    errors?: unknown;
  };
  const fieldErrors: Record<string, string> = {};
  if (Array.isArray(b.errors)) {
    for (const e of b.errors as unknown[]) {
      if (!e || typeof e !== 'object') continue;
      const { path, field, message } = e as { path?: unknown; field?: unknown; message?: unknown };
      const raw = Array.isArray(path) ? path.map(String).join('.') : typeof path === 'string' ? path : typeof field === 'string' ? field : '';
      const key = raw.split('.').pop() ?? '';
      if (key && typeof message === 'string' && !(key in fieldErrors)) fieldErrors[key] = message;
    }
  }
  const status = response.status;
  const title = typeof b.title === 'string' ? b.title : `Erreur ${status}`;
  const detail =
    typeof b.detail === 'string' && b.detail
      ? b.detail
      : (FALLBACK_DETAIL[status] ?? (status >= 500 ? 'Une erreur inattendue est survenue : réessayez plus tard.' : title));
  return { status, title, detail, ...(typeof b.code === 'string' ? { code: b.code } : {}), fieldErrors };
}

function networkProblem(): Problem {
  return {
    status: 0,
    title: 'Service injoignable',
    detail: 'Le service est injoignable : vérifiez votre connexion et réessayez.',
    fieldErrors: {},
  };
}

async function send(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(platformUrl(url), { credentials: CREDENTIALS, ...init });
  } catch {
    throw new ApiError(networkProblem());
  }
  if (!response.ok) throw new ApiError(await readProblem(response));
  return response;
}

/** The logged-in user, or null when anonymous (401) or when the API is absent (404). */
export async function getMe(): Promise<Me | null> {
  let response: Response;
  try {
    response = await fetch(platformUrl('/api/me'), { credentials: CREDENTIALS, headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(networkProblem());
  }
  if (response.status === 401 || response.status === 404) {
    csrfToken = null;
    return null;
  }
  if (!response.ok) throw new ApiError(await readProblem(response));
  const me = (await response.json()) as Me;
  csrfToken = me.csrfToken;
  return me;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await send(url, { headers: { accept: 'application/json' } });
  return (await response.json()) as T;
}

/** POSTs JSON with the session's CSRF token; resolves to the parsed body (undefined for 204 or an empty body). */
export async function postJson<T = unknown>(url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await send(url, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Sends a state-changing request (PATCH, PUT, DELETE…) with an optional JSON body and the session's CSRF token; resolves like postJson. */
export async function sendJson<T = unknown>(method: 'PATCH' | 'PUT' | 'DELETE' | 'POST', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await send(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Ends the session and follows the server's redirection. */
export async function logout(): Promise<void> {
  const { redirectTo } = await postJson<{ redirectTo?: string }>('/auth/logout');
  location.assign(redirectTo || '/');
}

export function loginHref(returnTo: string = location.pathname + location.search): string {
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}

/** Asks the root component to navigate inside the application (history.pushState). */
export function navigate(from: EventTarget, path: string): void {
  from.dispatchEvent(new CustomEvent('sas-navigate', { detail: { path }, bubbles: true, composed: true }));
}

/** Tells the root component the session changed (reload /api/me). */
export function sessionChanged(from: EventTarget): void {
  from.dispatchEvent(new CustomEvent('sas-session-changed', { bubbles: true, composed: true }));
}
