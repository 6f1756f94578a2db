/** @touchpoint/recommend — recommender, customer model (next basket, due items), upsell planner, its storage and browser glue. */
export * from './connect/index.js';
export * from './customers/index.js';
export * from './planner/index.js';
export * from './recommender/index.js';
export * from './storage/index.js';
