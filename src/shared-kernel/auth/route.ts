/**
 * Every HTTP route declares its authorisation policy. `defineRoutes` mounts routes and records them, so the
 * authorisation matrix test can enumerate every route and the platform can refuse a route without a policy.
 */
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { problem, HttpProblem } from '../http/problem-details.ts';
import type { Principal } from './principal.ts';

export interface Policy<R = undefined> {
  /** One sentence, shown in the route table and in 403 logs. */
  readonly description: string;
  /** true when no principal is needed at all (login endpoints). */
  readonly anonymous?: boolean;
  allows(principal: Principal | null, resource: R, req: Request): boolean;
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<R> {
  readonly principal: Principal | null;
  readonly resource: R;
}

export interface RouteDefinition<R = undefined> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly policy: Policy<R>;
  /** Loads what the policy judges (the slot and its effecteur, the account and its territory); may throw 404. */
  readonly resource?: (req: Request) => Promise<R>;
  readonly handle: (req: Request, res: Response, context: RouteContext<R>) => Promise<void> | void;
  /** Input schemas, for the OpenAPI document (validation stays in the handler). */
  readonly docs?: { readonly query?: z.ZodType; readonly body?: z.ZodType };
}

export interface RouteInfo {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly policy: string;
  readonly anonymous: boolean;
  readonly docs?: RouteDefinition<unknown>['docs'];
}

export const principalOf = (res: Response): Principal | null => (res.locals.principal as Principal | undefined) ?? null;

/** Collects the routes of all modules (the composition root owns one). */
export class RouteRegistry {
  readonly #routes: RouteInfo[] = [];

  get routes(): readonly RouteInfo[] {
    return this.#routes;
  }

  /** Mounts `definitions` on `router`; `prefix` is where the router itself is mounted ('/api', '/auth'). */
  mount(router: Router, prefix: string, definitions: readonly RouteDefinition<any>[]): void {
    for (const definition of definitions) {
      this.#routes.push({
        method: definition.method,
        path: `${prefix}${definition.path}`,
        summary: definition.summary,
        policy: definition.policy.description,
        anonymous: definition.policy.anonymous === true,
        ...(definition.docs ? { docs: definition.docs } : {}),
      });
      router[definition.method](definition.path, async (req, res) => {
        const principal = principalOf(res);
        if (!definition.policy.anonymous && principal === null) {
          throw new HttpProblem(problem(401, 'AuthenticationRequired', 'Connectez-vous avec Pro Santé Connect pour accéder à cette ressource.'));
        }
        const resource = definition.resource ? await definition.resource(req) : undefined;
        if (!definition.policy.allows(principal, resource, req)) {
          throw new HttpProblem(problem(403, 'Forbidden', `Accès refusé : ${definition.policy.description}`));
        }
        await definition.handle(req, res, { principal, resource });
      });
    }
  }
}

/** Policy helpers. */
export const policy = <R = undefined>(description: string, allows: Policy<R>['allows']): Policy<R> => ({ description, allows });

export const anonymousAllowed: Policy<any> = { description: 'ouvert à tous', anonymous: true, allows: () => true };
