/** Unit tests of the pure domain normalisation (kept outside domain/: the domain layer may not import vitest). */
import { describe, expect, it } from 'vitest';
import {
  abbreviateSaints,
  expandSaints,
  foldText,
  normalizeCommuneName,
  parseArrondissement,
  romanToNumber,
} from '../../domain/geocoding/normalize.ts';
import { similarity, trigramCodes, trigrams, TRIGRAM_SPACE } from '../../domain/geocoding/similarity.ts';

describe('normalizeCommuneName', () => {
  it.each([
    ['Saint-Étienne', 'saint etienne'],
    ['St Etienne', 'saint etienne'],
    ['ST-ÉTIENNE', 'saint etienne'],
    ['st. etienne', 'saint etienne'],
    ['saint   etienne', 'saint etienne'],
    ["L'Haÿ-les-Roses", 'l hay les roses'],
    ['L’Haÿ les Roses', 'l hay les roses'],
    ['LHAY LES ROSES', 'lhay les roses'],
    ['Châlons-en-Champagne', 'chalons en champagne'],
    ['CHALONS EN CHAMPAGNE', 'chalons en champagne'],
    ['Sainte-Foy-lès-Lyon', 'sainte foy les lyon'],
    ['Ste Foy les Lyon', 'sainte foy les lyon'],
    ['Saintes-Maries-de-la-Mer', 'saintes maries de la mer'],
    ['Stes Maries de la Mer', 'saintes maries de la mer'],
    ['Le Mans', 'le mans'],
    ['La Rochelle', 'la rochelle'],
    ['Les Sables-d’Olonne', 'les sables d olonne'],
    ["L'Isle-sur-la-Sorgue", 'l isle sur la sorgue'],
    ['Cœuvres-et-Valsery', 'coeuvres et valsery'],
    ['Œuilly', 'oeuilly'],
    ['Ajaccio', 'ajaccio'],
    ['Saint-Denis', 'saint denis'],
    ['Évry-Courcouronnes', 'evry courcouronnes'],
    ['Toulouse Cedex 9', 'toulouse'],
    ['TOULOUSE CEDEX', 'toulouse'],
    // whole words only: no rewriting inside a word
    ['Stella-Plage', 'stella plage'],
    ['Estissac', 'estissac'],
    ['Saint-Amand-Montrond', 'saint amand montrond'],
  ])('%s → %s', (input, key) => {
    expect(normalizeCommuneName(input)).toBe(key);
  });

  it.each([
    ['Paris 15e Arrondissement', 'paris 15'],
    ['Paris 15e', 'paris 15'],
    ['Paris 15', 'paris 15'],
    ['paris 15ème', 'paris 15'],
    ['PARIS 15EME ARRONDISSEMENT', 'paris 15'],
    ['Paris XVe', 'paris 15'],
    ['Paris xv', 'paris 15'],
    ['15e arrondissement de Paris', 'paris 15'],
    ['Paris 1er Arrondissement', 'paris 1'],
    ['Paris Ier', 'paris 1'],
    ['Paris 20e', 'paris 20'],
    ['Paris XXe', 'paris 20'],
    ['Lyon 3e arrondissement', 'lyon 3'],
    ['Lyon 3e Arrdt', 'lyon 3'],
    ['Lyon 9', 'lyon 9'],
    ['Marseille 1er', 'marseille 1'],
    ['Marseille 1er Arrondissement', 'marseille 1'],
    ['Marseille 16e', 'marseille 16'],
    ['Marseille 2nd', 'marseille 2'],
  ])('arrondissement %s → %s', (input, key) => {
    expect(normalizeCommuneName(input)).toBe(key);
  });

  it('leaves out-of-range arrondissements and non-PLM cities as plain names', () => {
    expect(normalizeCommuneName('Paris 21e')).toBe('paris 21e');
    expect(normalizeCommuneName('Lyon 10')).toBe('lyon 10');
    expect(normalizeCommuneName('Toulouse 3e')).toBe('toulouse 3e');
    expect(normalizeCommuneName('Paris')).toBe('paris');
    expect(normalizeCommuneName('Lyon')).toBe('lyon');
  });

  it('is idempotent', () => {
    for (const name of ['Saint-Étienne', "L'Haÿ-les-Roses", 'Paris XVe', 'Marseille 1er', 'Ste Foy les Lyon']) {
      const key = normalizeCommuneName(name);
      expect(normalizeCommuneName(key)).toBe(key);
    }
  });
});

describe('saint forms', () => {
  it('expands and abbreviates as whole words, both ways', () => {
    expect(expandSaints('st etienne')).toBe('saint etienne');
    expect(expandSaints('ste foy les lyon')).toBe('sainte foy les lyon');
    expect(abbreviateSaints('saint etienne')).toBe('st etienne');
    expect(abbreviateSaints('sainte foy les lyon')).toBe('ste foy les lyon');
    expect(abbreviateSaints('saintes')).toBe('stes');
    expect(abbreviateSaints('saintonge')).toBe('saintonge');
    expect(expandSaints(abbreviateSaints('villey saint etienne'))).toBe('villey saint etienne');
  });
});

describe('helpers', () => {
  it('folds text', () => {
    expect(foldText('  Châlons—en_Champagne (51) ')).toBe('chalons en champagne 51');
  });
  it('reads roman numerals 1–20 and refuses malformed ones', () => {
    expect(romanToNumber('xv')).toBe(15);
    expect(romanToNumber('xix')).toBe(19);
    expect(romanToNumber('iv')).toBe(4);
    expect(romanToNumber('iiii')).toBeNull();
    expect(romanToNumber('vx')).toBeNull();
    expect(romanToNumber('abc')).toBeNull();
  });
  it('parses arrondissements', () => {
    expect(parseArrondissement('paris xve')).toEqual({ city: 'paris', number: 15 });
    expect(parseArrondissement('paris')).toBeNull();
    expect(parseArrondissement('75015 paris')).toBeNull();
  });
  it('scores typos highly and unrelated names low', () => {
    expect(similarity('toulous', 'toulouse')).toBeGreaterThan(0.6);
    expect(similarity('montpelier', 'montpellier')).toBeGreaterThan(0.6);
    expect(similarity('toulouse', 'brest')).toBeLessThan(0.1);
    expect(trigrams('ab').has('  a')).toBe(true);
  });
  it('encodes the same distinct trigrams as integers', () => {
    for (const key of ['saint etienne', 'l hay les roses', 'paris 15', 'aa aa', 'x']) {
      const codes = trigramCodes(key);
      expect(codes.length, key).toBe(trigrams(key).size);
      expect(new Set(codes).size).toBe(codes.length);
      expect(codes.every((c) => c >= 0 && c < TRIGRAM_SPACE)).toBe(true);
    }
  });
});
