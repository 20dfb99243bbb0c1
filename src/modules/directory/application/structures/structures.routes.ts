/**
 * Structures of the directory over HTTP: create one on the platform (an SOS Médecins association, or any structure
 * not in FINESS), manage its members (practitioners by RPPS) and managers, list and read them.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { grantsOf, hasRole, isActiveUser, type Principal } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { departementOf, isPostcode, parseInseeCommune } from '../../../../shared-kernel/ids/insee-commune.id.ts';
import { isRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { isSiret } from '../../../../shared-kernel/ids/siret.id.ts';
import { STRUCTURE_KINDS, structureStreamName } from '../../contracts/directory.events.ts';
import type { StructureState } from '../../domain/structure.decider.ts';
import { openStructureWithSiret, queryStructure, queryStructures, type StructureView } from '../../infrastructure/structures.projection.ts';
import type { CommuneGeocoder } from '../../infrastructure/geocoding/commune-geocoder.ts';
import type { StructureDeps } from './structure.deps.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const structureId = z
  .string()
  .regex(/^finess-[0-9AB]{9}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'attendu : un identifiant de structure (finess-<numéro FINESS> ou UUID)');
const departement = z.string().regex(/^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8])$/, 'attendu : un code de département (ex. 31, 2A, 974)');
const kind = z.enum(STRUCTURE_KINDS, { message: 'attendu : cpts, msp, centre-de-sante ou sos-medecins' });
const rpps = z.string().trim().refine(isRpps, 'attendu : un numéro RPPS de 11 chiffres avec une clé de contrôle valide');

/** 14 digits with a valid key, written with or without spaces. */
const siret = z
  .string()
  .transform((v) => v.replace(/[\s\u00a0\u202f]/g, ''))
  .refine(isSiret, 'attendu : un SIRET de 14 chiffres avec une clé de contrôle valide');

/** 10 French digits, written with or without spaces, dots or dashes, or as +33. */
const phone = z
  .string()
  .transform((v) => v.replace(/[\s.-]/g, '').replace(/^\+33/, '0'))
  .refine((v) => /^0\d{9}$/.test(v), 'attendu : un numéro de téléphone à 10 chiffres');

export const createStructureBody = z.strictObject({
  kind,
  name: z.string().trim().min(2, 'nom requis (au moins 2 caractères)').max(200, 'au plus 200 caractères'),
  inseeCode: z.string().trim().toUpperCase().refine((v) => parseInseeCommune(v).ok, 'attendu : un code commune INSEE (ex. 31555)'),
  postcode: z.string().trim().refine(isPostcode, 'attendu : un code postal à 5 chiffres').optional(),
  street: z.string().trim().min(1).max(200, 'au plus 200 caractères').optional(),
  phone: phone.optional(),
  /** The SIRET an SOS Médecins association's vendor publishes its slots under: they then show on its search card. */
  siret: siret.optional(),
});
/** The fields to change of a structure created on the platform; `null` clears an optional one. */
export const changeStructureBody = z
  .strictObject({
    name: createStructureBody.shape.name.optional(),
    inseeCode: createStructureBody.shape.inseeCode.optional(),
    postcode: z.string().trim().refine(isPostcode, 'attendu : un code postal à 5 chiffres').nullable().optional(),
    street: z.string().trim().min(1).max(200, 'au plus 200 caractères').nullable().optional(),
    phone: phone.nullable().optional(),
    siret: siret.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'rien à modifier : indiquez au moins un champ (name, inseeCode, postcode, street, phone, siret)');
export const listStructuresQuery = z.strictObject({
  /** `me`: only the structures the caller manages (gestionnaire de structure), wherever they are. */
  managedBy: z.literal('me', { message: 'attendu : me (les structures dont vous êtes gestionnaire)' }).optional(),
  departement: departement.optional(),
  kind: kind.optional(),
  status: z.enum(['active', 'closed'], { message: 'attendu : active ou closed' }).default('active'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(400).optional(),
});
const structureParams = z.strictObject({ structureId });
const memberParams = z.strictObject({ structureId, rpps });
const addMemberBody = z.strictObject({ rpps });
const assignManagerBody = z.strictObject({ accountId: z.string().regex(UUID, 'attendu : un identifiant de compte (UUID)') });

/** A structure as the API answers it: the read model's view and its commune's name (null for a code the COG lacks). */
export type StructureResponse = StructureView & { readonly communeName: string | null };

export type LoadedStructure = { readonly structureId: string; readonly state: Exclude<StructureState, { status: 'unknown' }> };

const isManagerOf = (p: Principal | null, structure: LoadedStructure | { readonly managers: readonly string[] }): boolean => {
  if (!isActiveUser(p) || !hasRole(p, 'gestionnaire-structure')) return false;
  const managers = 'state' in structure ? structure.state.managers : structure.managers;
  return managers.includes(p.accountId);
};

const managePolicy = policy<LoadedStructure>('gestionnaire de la structure, administrateur national', (p, structure) =>
  hasRole(p, 'admin-national') || isManagerOf(p, structure),
);

const encodeCursor = (row: { name: string; structureId: string }) => Buffer.from(JSON.stringify([row.name, row.structureId])).toString('base64url');

function decodeCursor(cursor: string): { name: string; structureId: string } {
  try {
    const [name, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof name === 'string' && typeof id === 'string') return { name, structureId: id };
  } catch {
    // falls through to the problem below
  }
  throw new HttpProblem(problem(400, 'invalid-cursor', 'Le curseur de pagination est invalide.'));
}

const notFound = (id: string) => new HttpProblem(problem(404, 'StructureDoesNotExist', `La structure ${id} n’existe pas.`));

export function structuresRoutes(deps: StructureDeps, geocoder: () => Pick<CommuneGeocoder, 'byInseeCode'>): RouteDefinition<any>[] {
  const withCommune = <T extends StructureView>(view: T): T & { communeName: string | null } => ({
    ...view,
    communeName: geocoder().byInseeCode(view.address.inseeCode)?.name ?? null,
  });
  /** A SIRET names one structure: the slots published under it show on that structure's card only. */
  const checkSiretFree = async (siret: string | null | undefined, structureId: string | null) => {
    if (!siret) return;
    const other = await openStructureWithSiret(deps.readDb, siret, structureId);
    if (other) {
      throw new HttpProblem(problem(409, 'StructureSiretTaken', `Le SIRET ${siret} est déjà celui de la structure « ${other.name} » (${other.structureId}).`));
    }
  };
  const checkCommune = (code: string) => {
    if (geocoder().byInseeCode(code)) return;
    throw new HttpProblem(
      problem(400, 'invalid-request', `body.inseeCode: la commune ${code} est inconnue du Code officiel géographique`, {
        errors: [{ path: 'body.inseeCode', message: 'commune inconnue' }],
      }),
    );
  };

  /** Loads the structure named in the path from its stream (404 when unknown), for the policy to judge. */
  async function loadStructure(req: Request): Promise<LoadedStructure> {
    const { structureId: id } = parseInput(z.object({ structureId }), req.params, 'params');
    const { state } = await deps.structures.load(structureStreamName(id));
    if (state.status === 'unknown') throw notFound(id);
    return { structureId: id, state };
  }

  const create: RouteDefinition<string | undefined> = {
    method: 'post',
    path: '/directory/structures',
    summary: 'Create a structure without FINESS (an SOS Médecins association…)',
    docs: { body: createStructureBody },
    policy: policy('gestionnaire de structure du territoire de la structure, administrateur national', (p, dep) =>
      hasRole(p, 'admin-national') || (dep !== undefined && grantsOf(p, 'gestionnaire-structure').some((g) => g.territories.includes(dep))),
    ),
    async resource(req) {
      const code = parseInseeCommune((req.body as { inseeCode?: unknown } | undefined)?.inseeCode);
      return code.ok ? departementOf(code.value) : undefined;
    },
    async handle(req, res, { principal }) {
      const body = parseInput(createStructureBody, req.body ?? {}, 'body');
      checkCommune(body.inseeCode);
      await checkSiretFree(body.siret, null);
      const id = deps.newId();
      await deps.structures.handle(
        structureStreamName(id),
        {
          type: 'RegisterOnPlatform',
          structureId: id,
          kind: body.kind,
          name: body.name,
          address: { inseeCode: body.inseeCode, postcode: body.postcode ?? null, street: body.street ?? null },
          phone: body.phone ?? null,
          siret: body.siret ?? null,
          managerAccountId: isActiveUser(principal) && hasRole(principal, 'gestionnaire-structure') ? principal.accountId : null,
        },
        commandContext(req, deps.clock),
      );
      res.status(201).location(`/api/directory/structures/${id}`).json({ structureId: id });
    },
  };

  const change: RouteDefinition<LoadedStructure> = {
    method: 'patch',
    path: '/directory/structures/:structureId',
    summary: 'Change a structure created on the platform (name, address, phone, SIRET)',
    docs: { body: changeStructureBody },
    policy: managePolicy,
    resource: loadStructure,
    async handle(req, res, { resource }) {
      const body = parseInput(changeStructureBody, req.body ?? {}, 'body');
      if (body.inseeCode !== undefined) checkCommune(body.inseeCode);
      await checkSiretFree(body.siret, resource.structureId);
      const current = resource.state.details.address;
      const address =
        body.inseeCode === undefined && body.postcode === undefined && body.street === undefined
          ? undefined
          : { inseeCode: body.inseeCode ?? current.inseeCode, postcode: body.postcode === undefined ? current.postcode : body.postcode, street: body.street === undefined ? current.street : body.street };
      const result = await deps.structures.handle(
        structureStreamName(resource.structureId),
        {
          type: 'ChangeOnPlatform',
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(address ? { address } : {}),
          ...(body.phone !== undefined ? { phone: body.phone } : {}),
          ...(body.siret !== undefined ? { siret: body.siret } : {}),
        },
        commandContext(req, deps.clock),
      );
      res.json({ structureId: resource.structureId, changed: result.events.length > 0 });
    },
  };

  const addMember: RouteDefinition<LoadedStructure> = {
    method: 'post',
    path: '/directory/structures/:structureId/members',
    summary: 'Add a practitioner (by RPPS) to a structure',
    docs: { body: addMemberBody },
    policy: managePolicy,
    resource: loadStructure,
    async handle(req, res, { resource }) {
      const body = parseInput(addMemberBody, req.body ?? {}, 'body');
      const result = await deps.structures.handle(structureStreamName(resource.structureId), { type: 'AddMember', rpps: body.rpps }, commandContext(req, deps.clock));
      res
        .status(result.events.length > 0 ? 201 : 200)
        .location(`/api/directory/structures/${resource.structureId}/members/${body.rpps}`)
        .json({ structureId: resource.structureId, rpps: body.rpps });
    },
  };

  const removeMember: RouteDefinition<LoadedStructure> = {
    method: 'delete',
    path: '/directory/structures/:structureId/members/:rpps',
    summary: 'Remove a practitioner from a structure (idempotent)',
    policy: managePolicy,
    resource: loadStructure,
    async handle(req, res, { resource }) {
      const params = parseInput(memberParams, req.params, 'params');
      await deps.structures.handle(structureStreamName(resource.structureId), { type: 'RemoveMember', rpps: params.rpps }, commandContext(req, deps.clock));
      res.status(204).end();
    },
  };

  const assignManager: RouteDefinition<LoadedStructure> = {
    method: 'post',
    path: '/directory/structures/:structureId/managers',
    summary: 'Make an account a manager of a structure',
    docs: { body: assignManagerBody },
    policy: policy('administrateur national', (p) => hasRole(p, 'admin-national')),
    resource: loadStructure,
    async handle(req, res, { resource }) {
      const body = parseInput(assignManagerBody, req.body ?? {}, 'body');
      const result = await deps.structures.handle(
        structureStreamName(resource.structureId),
        { type: 'AssignManager', accountId: body.accountId.toLowerCase() },
        commandContext(req, deps.clock),
      );
      res.status(result.events.length > 0 ? 201 : 200).json({ structureId: resource.structureId, accountId: body.accountId.toLowerCase() });
    },
  };

  const readPolicy = policy<any>('toute personne connectée à un compte actif', (p) => isActiveUser(p));

  const list: RouteDefinition = {
    method: 'get',
    path: '/directory/structures',
    summary: 'List structures (of a département, of a kind, managed by the caller)',
    docs: { query: listStructuresQuery },
    policy: readPolicy,
    async handle(req, res, { principal }) {
      const q = parseInput(listStructuresQuery, req.query, 'query');
      const items = await queryStructures(deps.readDb, {
        status: q.status,
        limit: q.limit,
        ...(q.managedBy && isActiveUser(principal) ? { managedBy: principal.accountId } : {}),
        ...(q.departement ? { departement: q.departement } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
      });
      const last = items[items.length - 1];
      res.json({ items: items.map(withCommune), nextCursor: items.length === q.limit && last ? encodeCursor(last) : null });
    },
  };

  const one: RouteDefinition = {
    method: 'get',
    path: '/directory/structures/:structureId',
    summary: 'One structure with its members',
    policy: readPolicy,
    async handle(req, res, { principal }) {
      const { structureId: id } = parseInput(structureParams, req.params, 'params');
      const structure = await queryStructure(deps.readDb, id);
      if (!structure) throw notFound(id);
      const { managers, ...view } = structure;
      res.json({ ...withCommune(view), canManageMembers: view.status === 'active' && (hasRole(principal, 'admin-national') || isManagerOf(principal, { managers })) });
    },
  };

  return [create, change, list, one, addMember, removeMember, assignManager];
}
