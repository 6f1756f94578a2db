// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64.js';
import { createRecommender } from './create-recommender.js';
import { recommenderFromJSON } from './recommender-from-json.js';

function trained() {
  let seed = 3;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rec = createRecommender({ neighbours: 8 });
  const baskets: string[][] = [];
  for (let b = 0; b < 600; b++) {
    const anchor = Math.floor(rand() * 200);
    baskets.push([`sku-${anchor}`, `sku-${(anchor * 7 + 3) % 200}`, `sku-${Math.floor(rand() * 200)}`]);
  }
  rec.learnBaskets(baskets);
  return rec;
}

describe('toJSON / recommenderFromJSON', () => {
  it('ships a model that answers exactly like the one that was trained', () => {
    const rec = trained();
    const text = JSON.stringify(rec.toJSON());
    const loaded = recommenderFromJSON(JSON.parse(text));
    expect(loaded.itemCount).toBe(rec.itemCount);
    for (let i = 0; i < 200; i += 7) {
      for (const intent of ['complementary', 'similar'] as const) {
        const query = { items: [`sku-${i}`, `sku-${(i + 50) % 200}`], k: 10, intent };
        expect(loaded.recommend(query)).toEqual(rec.recommend(query));
      }
    }
    expect(recommenderFromJSON(text).recommend({ items: ['sku-1'] })).toEqual(rec.recommend({ items: ['sku-1'] }));
    expect(JSON.stringify(loaded.toJSON())).toBe(text);
  });

  it('is compact: ids once, about three bytes per neighbour', () => {
    const json = trained().toJSON();
    expect(json.items).toHaveLength(200);
    expect(new Set(json.items).size).toBe(200);
    expect(JSON.stringify(json).length).toBeLessThan(200 * 8 * 4 + 200 * 12);
  });

  it('rejects a file that is not a model, saying what is wrong', () => {
    const good = trained().toJSON();
    expect(() => recommenderFromJSON({ ...good, format: 'other' } as never)).toThrow(/format/);
    expect(() => recommenderFromJSON({ ...good, version: 2 } as never)).toThrow(/version/);
    expect(() => recommenderFromJSON({ ...good, popular: [999] })).toThrow(/popular/);
    expect(() => recommenderFromJSON({ ...good, neighbours: good.neighbours.slice(0, 40) })).toThrow(/neighbours/);
    expect(() => recommenderFromJSON({ ...good, items: good.items.slice(0, 10) })).toThrow(TypeError);
    expect(() => recommenderFromJSON('null')).toThrow(/format/);
  });

  it('encodes bytes as standard base64', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = encodeBase64(bytes);
    expect(text.slice(0, 8)).toBe('AAECAwQF');
    expect(encodeBase64(new Uint8Array([104, 105]))).toBe('aGk=');
    expect(decodeBase64(text)).toEqual(bytes);
    expect(() => decodeBase64('a$==')).toThrow(/character/);
  });
});
