/**
 * The stable random order of a zone search (a commune, a département, a structure's members), shared by the
 * search engines so that they return the same places in the same order.
 *
 * Every place has a fixed pseudo-random rank `shuffle` in [0, 1) (a hash of its RPPS and location id). A search
 * draws its own starting point `s` in [0, 1) from its seed and reads the places from `s` upwards, then wraps around
 * from 0: the order is a rotation of one fixed random permutation. Any place is equally likely to come first over
 * many searches, the order is the same for every page of one search (the seed travels in the cursor), and the
 * engine reads it straight from an index on (zone, shuffle) — no hashing and sorting of a whole département per
 * search. Ties (equal ranks, vanishingly rare) fall back to RPPS then location id.
 */
import { createHash } from 'node:crypto';

const TWO_POW_52 = 4_503_599_627_370_496;
const fraction = (text: string) => parseInt(createHash('md5').update(text, 'utf8').digest('hex').slice(0, 13), 16) / TWO_POW_52;

/** The place's fixed rank, as the SQL read model stores it (`SHUFFLE_SQL`). */
export const placeShuffle = (rpps: string, locationId: string): number => fraction(`${rpps}:${locationId}`);

/** Where a search starts in the ranks. */
export const seedStart = (seed: string): number => fraction(`zone-start:${seed}`);

/** The position of a place in the search's rotation, in [0, 1) (and 0 ≤ key < 1 + ε). */
export const rotationKey = (shuffle: number, start: number): number => (shuffle >= start ? shuffle - start : shuffle - start + 1);
