/**
 * The manual agenda over HTTP (issue #5): the week view, and the commands on slots, ranges, weekly series and
 * unavailability of one effecteur's agenda (`/api/agendas/{rpps}/…`). Civil dates and times are Paris ones, as the
 * domain expects; occurrence ids of a series contain '/', sent URL-encoded (`%2F`) in the path.
 * Who: the effecteur, its délégataire, a gestionnaire of a structure it is a member of; reading also regulation.
 */
import type { Request } from 'express';
import { z } from 'zod';
import type { RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { notFoundError } from '../../../../shared-kernel/errors/result.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { isRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { parisLocalDate, type LocalDate } from '../../../../shared-kernel/time/paris-time.ts';
import { CONSULTATION_TYPES } from '../../contracts/availability.events.ts';
import { parseCivilDate, WEEKDAYS } from '../../domain/agenda.calendar.ts';
import { MAX_PATIENTS_PER_RANGE, type AvailabilityOffer } from '../../domain/agenda.decider.ts';
import type { AgendaState, OpenAgenda } from '../../domain/agenda.state.ts';
import { structureManagersOf } from '../../infrastructure/structure-managers.projection.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { editOwnedAgendaPolicy, readOwnedAgendaPolicy, type AgendaOwner } from '../availability.policies.ts';
import { handleAgendaCommand, loadAgenda } from './agenda.handler.ts';
import { agendaWeekView, occurrenceView, seriesView } from './agenda.view.ts';

// ——— Input schemas (French messages for the user) ———

const rpps = z.string().refine(isRpps, 'attendu : un numéro RPPS de 11 chiffres avec une clé de contrôle valide');
const clientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'attendu : de 1 à 64 lettres, chiffres, « - » ou « _ »');
/** Occurrence ids: a client id, or `<seriesId>/<revision>/<date>` for an occurrence of a series. */
const occurrenceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}(\/\d{1,6}\/\d{4}-\d{2}-\d{2})?$/, 'attendu : un identifiant d’occurrence (encodé dans l’URL)');
const localDate = z.string({ message: 'attendu : une date AAAA-MM-JJ' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'attendu : une date AAAA-MM-JJ');
const startTime = z.string({ message: 'attendu : une heure HH:MM' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'attendu : une heure HH:MM (00:00 à 23:59)');
const endTime = z.string({ message: 'attendu : une heure HH:MM' }).regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'attendu : une heure HH:MM (00:01 à 24:00)');
const kind = z.enum(['slot', 'range'], { message: 'attendu : slot (créneau) ou range (plage de N patients)' });
const patients = z
  .number({ message: 'attendu : un nombre de patients' })
  .int('attendu : un nombre entier de patients')
  .min(1, 'au moins 1 patient')
  .max(MAX_PATIENTS_PER_RANGE, `au plus ${MAX_PATIENTS_PER_RANGE} patients`);
const consultationTypes = z
  .array(z.enum(CONSULTATION_TYPES, { message: `attendu : ${CONSULTATION_TYPES.join(', ')}` }), { message: 'attendu : une liste de types de consultation' })
  .min(1, 'au moins un type de consultation')
  .max(CONSULTATION_TYPES.length, 'chaque type au plus une fois');
const recurrence = z.strictObject(
  {
    weekdays: z
      .array(z.enum(WEEKDAYS, { message: 'attendu : MO, TU, WE, TH, FR, SA ou SU' }), { message: 'attendu : une liste de jours' })
      .min(1, 'au moins un jour de la semaine')
      .max(7, 'au plus 7 jours'),
    until: localDate,
  },
  { message: 'attendu : { weekdays, until }' },
);

const rangeNeedsPatients = (body: { kind?: string | undefined; patients?: number | undefined }, ctx: z.RefinementCtx) => {
  if (body.kind === 'range' && body.patients === undefined) ctx.addIssue({ code: 'custom', path: ['patients'], message: 'une plage indique son nombre de patients' });
  if (body.kind === 'slot' && body.patients !== undefined && body.patients !== 1) {
    ctx.addIssue({ code: 'custom', path: ['patients'], message: 'un créneau reçoit un seul patient ; choisissez une plage' });
  }
};

export const createAvailabilityBody = z
  .strictObject({
    availabilityId: clientId.optional(),
    kind,
    patients: patients.optional(),
    date: localDate,
    startTime,
    endTime,
    consultationTypes,
    recurrence: recurrence.nullable().optional(),
  })
  .superRefine(rangeNeedsPatients);

export const modifyOccurrenceBody = z
  .strictObject({ kind: kind.optional(), patients: patients.optional(), date: localDate.optional(), startTime: startTime.optional(), endTime: endTime.optional(), consultationTypes: consultationTypes.optional() })
  .superRefine(rangeNeedsPatientsWhenRange);

export const modifySeriesBody = z
  .strictObject({
    kind: kind.optional(),
    patients: patients.optional(),
    startTime: startTime.optional(),
    endTime: endTime.optional(),
    consultationTypes: consultationTypes.optional(),
    recurrence: z
      .strictObject({ weekdays: recurrence.shape.weekdays.optional(), until: localDate.optional() }, { message: 'attendu : { weekdays, until }' })
      .optional(),
  })
  .superRefine(rangeNeedsPatientsWhenRange);

/** In a partial change, a slot still takes no patient count (a range without one keeps its own). */
function rangeNeedsPatientsWhenRange(body: { kind?: string | undefined; patients?: number | undefined }, ctx: z.RefinementCtx) {
  if (body.kind === 'slot' && body.patients !== undefined && body.patients !== 1) {
    ctx.addIssue({ code: 'custom', path: ['patients'], message: 'un créneau reçoit un seul patient ; choisissez une plage' });
  }
}

export const declareUnavailabilityBody = z.strictObject({ periodId: clientId.optional(), fromDate: localDate, toDate: localDate });
export const indefiniteBody = z.strictObject({ on: z.boolean({ message: 'attendu : true ou false' }) });
export const weekQuery = z.strictObject({
  from: localDate.optional(),
  days: z.coerce.number({ message: 'attendu : un nombre de jours' }).int('attendu : un nombre entier de jours').min(1, 'au moins 1 jour').max(31, 'au plus 31 jours').default(7),
});

const agendaParams = z.strictObject({ rpps });
const occurrenceParams = z.strictObject({ rpps, occurrenceId });
const seriesParams = z.strictObject({ rpps, seriesId: clientId });
const periodParams = z.strictObject({ rpps, periodId: clientId });

// ——— Routes ———

/** A slot turned into a range says how many patients the range receives. */
const patientsRequired = () =>
  new HttpProblem(
    problem(400, 'invalid-request', 'body.patients: une plage indique son nombre de patients', { errors: [{ path: 'body.patients', message: 'une plage indique son nombre de patients' }] }),
  );

const offerOf = (kindValue: 'slot' | 'range', capacity: number): AvailabilityOffer =>
  kindValue === 'slot' ? { kind: 'slot' } : { kind: 'range', patients: capacity };

function openAgenda(state: AgendaState, notFound: () => Error): OpenAgenda {
  if (state.status !== 'open') throw notFound();
  return state;
}

export function agendaRoutes(deps: AvailabilityDeps): RouteDefinition<any>[] {
  /** The agenda named in the path and who manages it for a structure, for the policy to judge (400 on a bad RPPS). */
  async function loadOwner(req: Request): Promise<AgendaOwner> {
    const { rpps: effecteurId } = parseInput(z.object({ rpps }), req.params, 'params');
    return { effecteurId, structureManagers: await structureManagersOf(deps.readDb, effecteurId) };
  }
  const base = (path: string) => `/agendas/:rpps${path}`;
  /** A command on the agenda named in the path, for whoever may edit it (the body schema documents the route). */
  const editRoute = (
    method: RouteDefinition['method'],
    path: string,
    summary: string,
    body: z.ZodType | null,
    handle: RouteDefinition<AgendaOwner>['handle'],
  ): RouteDefinition<AgendaOwner> => ({ method, path: base(path), summary, ...(body ? { docs: { body } } : {}), policy: editOwnedAgendaPolicy<AgendaOwner>(), resource: loadOwner, handle });

  const week: RouteDefinition<AgendaOwner> = {
    method: 'get',
    path: base(''),
    summary: 'The week view of an effecteur’s manual agenda (occurrences, series, unavailability)',
    docs: { query: weekQuery },
    policy: readOwnedAgendaPolicy<AgendaOwner>(),
    resource: loadOwner,
    async handle(req, res, { resource }) {
      parseInput(agendaParams, req.params, 'params');
      const q = parseInput(weekQuery, req.query, 'query');
      let from: LocalDate = parisLocalDate(deps.clock());
      if (q.from !== undefined) {
        const parsed = parseCivilDate(q.from, 'La date de début de la vue');
        if (!parsed.ok) throw parsed.error;
        from = parsed.value;
      }
      const { state, revision } = await loadAgenda(deps, resource.effecteurId);
      res.setHeader('ETag', `"${revision}"`).json(agendaWeekView(state, resource.effecteurId, from, q.days, revision));
    },
  };

  const create = editRoute('post', '/availabilities', 'Create a slot or a range of N patients, one-off or weekly', createAvailabilityBody, async (req, res, { resource }) => {
    const body = parseInput(createAvailabilityBody, req.body ?? {}, 'body');
    const availabilityId = body.availabilityId ?? deps.newId();
    const result = await handleAgendaCommand(
      deps,
      {
        type: 'CreateAvailability',
        effecteurId: resource.effecteurId,
        availabilityId,
        offer: offerOf(body.kind, body.patients ?? 1),
        date: body.date,
        startTime: body.startTime,
        endTime: body.endTime,
        consultationTypes: body.consultationTypes,
        recurrence: body.recurrence ?? null,
      },
      commandContext(req, deps.clock),
    );
    const agenda = openAgenda(result.state, () => new Error('the agenda has just been written'));
    const series = agenda.series.get(availabilityId);
    const occurrences = [...agenda.occurrences.values()]
      .filter((o) => (series ? o.seriesId === availabilityId : o.occurrenceId === availabilityId))
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((o) => occurrenceView(agenda, resource.effecteurId, o));
    const created = result.events.find((e) => e.type === 'AgendaSeriesCreated');
    const location = `/api/agendas/${resource.effecteurId}/${series ? 'series' : 'occurrences'}/${availabilityId}`;
    res
      .status(result.changed ? 201 : 200)
      .location(location)
      .json({
        availabilityId,
        revision: result.revision,
        ...(series ? { series: seriesView(series) } : {}),
        occurrences,
        skippedDates: created?.type === 'AgendaSeriesCreated' ? created.data.skippedDates : [],
      });
  });

  const modifyOccurrence = editRoute('patch', '/occurrences/:occurrenceId', 'Modify one occurrence (one-off or of a series); a booked one cannot be modified', modifyOccurrenceBody, async (req, res, { resource }) => {
    const { occurrenceId: id } = parseInput(occurrenceParams, req.params, 'params');
    const body = parseInput(modifyOccurrenceBody, req.body ?? {}, 'body');
    const { state } = await loadAgenda(deps, resource.effecteurId);
    const o = state.status === 'open' ? state.occurrences.get(id) : undefined;
    if (o === undefined) throw notFoundError('AvailabilityDoesNotExist', 'Cette disponibilité n’existe pas (ou plus) dans l’agenda.', { occurrenceId: id });
    const kindValue = body.kind ?? o.kind;
    if (kindValue === 'range' && o.kind !== 'range' && body.patients === undefined) throw patientsRequired();
    const result = await handleAgendaCommand(
      deps,
      {
        type: 'ModifyOccurrence',
        effecteurId: resource.effecteurId,
        occurrenceId: id,
        offer: offerOf(kindValue, body.patients ?? (kindValue === o.kind ? o.capacity : 1)),
        date: body.date ?? o.date,
        startTime: body.startTime ?? o.startTime,
        endTime: body.endTime ?? o.endTime,
        consultationTypes: body.consultationTypes ?? o.consultationTypes,
      },
      commandContext(req, deps.clock),
    );
    const agenda = openAgenda(result.state, () => new Error('the agenda has just been written'));
    const after = agenda.occurrences.get(id)!;
    res.json({ ...occurrenceView(agenda, resource.effecteurId, after), revision: result.revision });
  });

  const deleteOccurrence = editRoute('delete', '/occurrences/:occurrenceId', 'Delete one occurrence (one-off or of a series); a booked one cannot be deleted', null, async (req, res, { resource }) => {
    const { occurrenceId: id } = parseInput(occurrenceParams, req.params, 'params');
    await handleAgendaCommand(deps, { type: 'DeleteOccurrence', effecteurId: resource.effecteurId, occurrenceId: id }, commandContext(req, deps.clock));
    res.status(204).end();
  });

  const modifySeries = editRoute('patch', '/series/:seriesId', 'Modify a weekly series from now on (booked or started occurrences are kept unchanged)', modifySeriesBody, async (req, res, { resource }) => {
    const { seriesId } = parseInput(seriesParams, req.params, 'params');
    const body = parseInput(modifySeriesBody, req.body ?? {}, 'body');
    const { state } = await loadAgenda(deps, resource.effecteurId);
    const s = state.status === 'open' ? state.series.get(seriesId) : undefined;
    if (s === undefined) throw notFoundError('SeriesDoesNotExist', 'Cette récurrence n’existe pas (ou plus) dans l’agenda.', { seriesId });
    const kindValue = body.kind ?? s.kind;
    if (kindValue === 'range' && s.kind !== 'range' && body.patients === undefined) throw patientsRequired();
    const result = await handleAgendaCommand(
      deps,
      {
        type: 'ModifySeries',
        effecteurId: resource.effecteurId,
        seriesId,
        offer: offerOf(kindValue, body.patients ?? (kindValue === s.kind ? s.capacity : 1)),
        startTime: body.startTime ?? s.startTime,
        endTime: body.endTime ?? s.endTime,
        consultationTypes: body.consultationTypes ?? s.consultationTypes,
        recurrence: { weekdays: body.recurrence?.weekdays ?? s.weekdays, until: body.recurrence?.until ?? s.until },
      },
      commandContext(req, deps.clock),
    );
    const agenda = openAgenda(result.state, () => new Error('the agenda has just been written'));
    const modified = result.events.find((e) => e.type === 'AgendaSeriesModified');
    res.json({
      series: seriesView(agenda.series.get(seriesId)!),
      revision: result.revision,
      occurrences: [...agenda.occurrences.values()]
        .filter((o) => o.seriesId === seriesId)
        .sort((a, b) => a.start.localeCompare(b.start))
        .map((o) => occurrenceView(agenda, resource.effecteurId, o)),
      keptOccurrenceIds: modified?.type === 'AgendaSeriesModified' ? modified.data.keptOccurrenceIds : [],
      skippedDates: modified?.type === 'AgendaSeriesModified' ? modified.data.skippedDates : [],
    });
  });

  const deleteSeries = editRoute('delete', '/series/:seriesId', 'Delete a weekly series (booked or started occurrences stay as one-offs)', null, async (req, res, { resource }) => {
    const { seriesId } = parseInput(seriesParams, req.params, 'params');
    await handleAgendaCommand(deps, { type: 'DeleteSeries', effecteurId: resource.effecteurId, seriesId }, commandContext(req, deps.clock));
    res.status(204).end();
  });

  const declareUnavailability = editRoute('post', '/unavailabilities', 'Declare an unavailability period (whole Paris days, at most three to come)', declareUnavailabilityBody, async (req, res, { resource }) => {
    const body = parseInput(declareUnavailabilityBody, req.body ?? {}, 'body');
    const periodId = body.periodId ?? deps.newId();
    const result = await handleAgendaCommand(
      deps,
      { type: 'DeclareUnavailability', effecteurId: resource.effecteurId, periodId, fromDate: body.fromDate, toDate: body.toDate },
      commandContext(req, deps.clock),
    );
    const agenda = openAgenda(result.state, () => new Error('the agenda has just been written'));
    res
      .status(result.changed ? 201 : 200)
      .location(`/api/agendas/${resource.effecteurId}/unavailabilities/${periodId}`)
      .json({ ...agenda.unavailabilities.get(periodId)!, revision: result.revision });
  });

  const removeUnavailability = editRoute('delete', '/unavailabilities/:periodId', 'Remove an unavailability period', null, async (req, res, { resource }) => {
    const { periodId } = parseInput(periodParams, req.params, 'params');
    await handleAgendaCommand(deps, { type: 'RemoveUnavailability', effecteurId: resource.effecteurId, periodId }, commandContext(req, deps.clock));
    res.status(204).end();
  });

  const indefinite = editRoute('put', '/unavailabilities/indefinite', 'Switch the indefinite unavailability on or off', indefiniteBody, async (req, res, { resource }) => {
    parseInput(agendaParams, req.params, 'params');
    const body = parseInput(indefiniteBody, req.body ?? {}, 'body');
    const result = await handleAgendaCommand(
      deps,
      { type: body.on ? 'SetIndefiniteUnavailability' : 'ClearIndefiniteUnavailability', effecteurId: resource.effecteurId },
      commandContext(req, deps.clock),
    );
    res.json({ indefinitelyUnavailable: body.on, revision: result.revision });
  });

  return [week, create, modifyOccurrence, deleteOccurrence, modifySeries, deleteSeries, declareUnavailability, removeUnavailability, indefinite];
}
