import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { DomainError, httpStatusOf } from '../errors/result.ts';
import { ConcurrencyError } from '../event-store/event-store.port.ts';
import type { Logger } from '../logging/logger.ts';

/** RFC 7807 problem details, as every API error leaves the platform. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly correlationId?: string;
}

const PROBLEM_BASE = 'https://sas.sante.fr/problems/';

const titles: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Authentification requise',
  403: 'Accès refusé',
  404: 'Ressource introuvable',
  405: 'Méthode non permise',
  409: 'Conflit',
  412: 'Précondition échouée',
  413: 'Requête trop volumineuse',
  415: 'Type de contenu non supporté',
  500: 'Erreur interne',
  503: 'Service indisponible',
};

export function problem(status: number, code: string, detail: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  return { type: `${PROBLEM_BASE}${code}`, title: titles[status] ?? 'Erreur', status, code, detail, ...extra };
}

/** Thrown by route code to answer with a problem; the error middleware turns it into the response. */
export class HttpProblem extends Error {
  readonly problem: ProblemDetails;
  constructor(details: ProblemDetails) {
    super(details.detail ?? details.title);
    this.problem = details;
  }
}

/** Parses a request part with a zod schema or throws a 400 listing every invalid field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new HttpProblem(
    problem(400, 'invalid-request', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }),
  );
}

export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof HttpProblem) return error.problem;
  if (error instanceof DomainError) {
    return problem(httpStatusOf(error), error.code, error.message, error.details ? { ...error.details } : {});
  }
  if (error instanceof ConcurrencyError) {
    return problem(409, 'concurrent-modification', 'La ressource a été modifiée entre-temps ; rechargez-la et réessayez.');
  }
  // Errors raised by body-parser (express.json) carry an HTTP status and a type.
  const e = error as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (e.type === 'entity.too.large') return problem(413, 'payload-too-large', 'Le corps de la requête dépasse la taille permise.');
    if (e.type === 'entity.parse.failed') return problem(400, 'malformed-json', 'Le corps de la requête n’est pas du JSON valide.');
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      return problem(415, 'unsupported-encoding', 'Encodage du corps non supporté.');
    }
    return problem(status, 'bad-request', 'Requête refusée.');
  }
  return problem(500, 'internal-error', 'Une erreur inattendue est survenue ; elle a été journalisée.');
}

export function problemDetailsMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const details = toProblem(error);
    const correlationId = res.getHeader('x-correlation-id');
    if (details.status >= 500) logger.error({ err: error, path: req.path }, 'request failed');
    res
      .status(details.status)
      .type('application/problem+json')
      .json({ ...details, instance: req.originalUrl, ...(correlationId ? { correlationId: String(correlationId) } : {}) });
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(problem(404, 'route-not-found', `Aucune route ${req.method} ${req.path}.`)));
};

/** Refuses bodies that are not JSON on routes that expect JSON (415), before parsing. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && req.headers['content-length'] !== '0' && !req.is('application/json')) {
    if (req.headers['content-type'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0) {
      next(new HttpProblem(problem(415, 'unsupported-media-type', 'Le corps doit être envoyé en application/json.')));
      return;
    }
  }
  next();
};
