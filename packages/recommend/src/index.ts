/** @touchpoint/recommend — recommender, upsell planner, its storage and browser glue. */
export * from './connect/index.js';
export * from './planner/index.js';
export * from './recommender/index.js';
export * from './storage/index.js';
