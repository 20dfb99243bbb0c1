import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Actor, CommandContext } from '../events/envelope.ts';
import { correlationContext } from '../logging/logger.ts';

/** Until accounts and Pro Santé Connect sessions exist, requests act as this actor. */
export const anonymousActor: Actor = { accountId: 'anonymous', role: 'anonymous' };

const CORRELATION_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request a correlation id (the caller's `X-Correlation-Id` when well formed, else a new one),
 * echoes it in the response and makes it the ambient id for logs and event metadata.
 */
export const correlationMiddleware: RequestHandler = (req, res, next) => {
  const incoming = req.header('x-correlation-id');
  const correlationId = incoming && CORRELATION_ID.test(incoming) ? incoming : randomUUID();
  res.locals.correlationId = correlationId;
  res.setHeader('X-Correlation-Id', correlationId);
  correlationContext.run({ correlationId }, () => next());
};

/** The command context of a request: its actor, its correlation id and the instant it is decided at. */
export function commandContext(req: Request, clock: () => Date): CommandContext {
  const locals = req.res?.locals ?? {};
  return {
    actor: (locals.actor as Actor | undefined) ?? anonymousActor,
    correlationId: (locals.correlationId as string | undefined) ?? randomUUID(),
    causationId: null,
    now: clock(),
  };
}
