/**
 * `@touchpoint/recommend/model-loader` — the browser end of the live model: fetch lazily, with
 * consent, revalidate with ETags, keep the previous model on failure.
 */
export {
  type ConsentSource,
  createModelLoader,
  type ModelLoader,
  type ModelLoaderOptions,
} from './create-model-loader.js';
