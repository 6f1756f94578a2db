/**
 * Rebuilds a serving model from `toJSON()` output — how a model trained on the server reaches the
 * browser. Validates the shape and throws a `TypeError` saying what is wrong, so a corrupt or
 * foreign file is rejected before it can answer.
 */
import { decodeNeighbours } from './neighbour-codec.js';
import { createNeighbourModel } from './neighbour-model.js';
import type { RecommenderJSON, RecommendModel } from './types.js';

/**
 * @example
 * const model = recommenderFromJSON(await (await fetch('/recommender.json')).json());
 * model.recommend({ items: ['tea'] });
 */
export function recommenderFromJSON(json: RecommenderJSON | string): RecommendModel {
  const data = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<RecommenderJSON> | null;
  if (!data || typeof data !== 'object' || data.format !== 'touchpoint-recommender') {
    throw new TypeError('recommender model: format must be "touchpoint-recommender"');
  }
  if (data.version !== 1) throw new TypeError(`recommender model: version must be 1, got ${String(data.version)}`);
  const { items, popular, neighbours } = data;
  if (!Array.isArray(items) || !items.every((id) => typeof id === 'string')) {
    throw new TypeError('recommender model: items must be an array of strings');
  }
  if (!Array.isArray(popular) || !popular.every((i) => Number.isInteger(i) && i >= 0 && i < items.length)) {
    throw new TypeError('recommender model: popular must list item indexes');
  }
  if (typeof neighbours !== 'string') throw new TypeError('recommender model: neighbours must be a base64 string');
  const index = new Map<string, number>();
  for (let i = 0; i < items.length; i++) index.set(items[i]!, i);
  if (index.size !== items.length) throw new TypeError('recommender model: items must be unique');
  return createNeighbourModel({ ids: items, index, neighbours: decodeNeighbours(neighbours, items.length), popular });
}
