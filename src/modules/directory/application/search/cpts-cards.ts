/**
 * CPTS cards: in a page of results, the cards of the members of one CPTS are shown together under the CPTS's own
 * card (its name and point-of-contact phone), at the place of its best-ranked member — as the real platform shows
 * "CARD CPTS" with the slots of each member. The patient's médecin traitant is never folded into a CPTS card
 * (they stay first). A practitioner in several CPTS is shown under the first (by name).
 *
 * Pagination goes on over place cards: a later page may hold other members of a CPTS already shown; a client that
 * appends pages merges CPTS cards with the same `structure.structureId` (as <sas-search> does).
 */
import type { SearchCard, SearchStructure } from './search-engine.port.ts';

export type SearchResultItem =
  | ({ readonly kind: 'practitioner' } & SearchCard)
  | { readonly kind: 'cpts'; readonly structure: SearchStructure; readonly members: SearchCard[] };

export function groupUnderCpts(cards: readonly SearchCard[]): SearchResultItem[] {
  const items: SearchResultItem[] = [];
  const cptsCards = new Map<string, { kind: 'cpts'; structure: SearchStructure; members: SearchCard[] }>();
  for (const card of cards) {
    const cpts = card.group === 'medecin-traitant' ? undefined : card.structures.find((s) => s.kind === 'cpts');
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
