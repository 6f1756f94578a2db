/** The recommender: learn from touchpoints and baskets, recommend with reasons, ship as JSON. */
export {
  type ChooseOptionsResult,
  COOCCURRENCE_LIKE,
  chooseRecommenderOptions,
} from './choose-options.js';
export {
  createRecommender,
  type LearnBasketsOptions,
  type LearnResult,
  RECOMMENDER_DEFAULTS,
  type Recommender,
} from './create-recommender.js';
export { recommenderFromJSON } from './recommender-from-json.js';
export type {
  Interaction,
  InteractionKind,
  Recommendation,
  RecommenderJSON,
  RecommenderOptions,
  RecommendIntent,
  RecommendModel,
  RecommendQuery,
} from './types.js';
