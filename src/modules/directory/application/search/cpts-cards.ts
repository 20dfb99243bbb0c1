/**
 * CPTS cards: in a page of results, the cards of the practitioners who take part in the SAS THROUGH a CPTS
 * (participation mode `cpts`, the CPTS open and them a member) are shown together under the CPTS's own card (its
 * name and point-of-contact phone), at the place of its best-ranked member — as the real platform shows "CARD CPTS"
 * with the slots of each PS participating via the CPTS. The patient's médecin traitant is never folded into a CPTS
 * card (they stay first). Members participating on their own, or not at all, keep their own card.
 *
 * The card of a structure offering the filière itself (an SOS Médecins association, by its SIRET) is an item of
 * kind `structure`.
 *
 * Pagination goes on over place cards: a later page may hold other members of a CPTS already shown; a client that
 * appends pages merges CPTS cards with the same `structure.structureId` (as <sas-search> does).
 */
import type { SearchCard, SearchStructure } from './search-engine.port.ts';

export type SearchResultItem =
  | ({ readonly kind: 'practitioner' } & SearchCard)
  /** A structure offering the filière itself (an SOS Médecins association): `effecteurStructure` says which. */
  | ({ readonly kind: 'structure' } & SearchCard)
  | { readonly kind: 'cpts'; readonly structure: SearchStructure; readonly members: SearchCard[] };

/** The open CPTS the practitioner participates in the SAS through (its participation's structure), if any. */
function cptsOf(card: SearchCard): SearchStructure | undefined {
  const via = card.participation?.mode === 'cpts' ? card.participation.structureId : null;
  return via === null ? undefined : card.structures.find((s) => s.kind === 'cpts' && s.structureId === via);
}

export function groupUnderCpts(cards: readonly SearchCard[]): SearchResultItem[] {
  const items: SearchResultItem[] = [];
  const cptsCards = new Map<string, { kind: 'cpts'; structure: SearchStructure; members: SearchCard[] }>();
  for (const card of cards) {
    if (card.effecteurStructure) {
      items.push({ kind: 'structure', ...card });
      continue;
    }
    const cpts = card.group === 'medecin-traitant' ? undefined : cptsOf(card);
    if (!cpts) {
      items.push({ kind: 'practitioner', ...card });
      continue;
    }
    const existing = cptsCards.get(cpts.structureId);
    if (existing) existing.members.push(card);
    else {
      const item = { kind: 'cpts' as const, structure: cpts, members: [card] };
      cptsCards.set(cpts.structureId, item);
      items.push(item);
    }
  }
  return items;
}
