/**
 * `@touchpoint/recommend/trainer` — server side of the live model: a trainer that plugs into the
 * forwarder as a destination, and a Request/Response handler serving the published model.
 */
export {
  createRecommenderTrainer,
  type PublishedModel,
  type RecommenderTrainer,
  type RecommenderTrainerOptions,
} from './create-trainer.js';
export { modelEtag } from './model-etag.js';
export { createModelHandler, type ModelHandlerOptions, type ModelSource } from './model-handler.js';
export { DEFAULT_TOUCHPOINT_KINDS, interactionsFromEvents } from './touchpoint-interactions.js';
