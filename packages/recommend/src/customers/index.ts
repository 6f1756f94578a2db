/** The customer model: next basket, next order and due items per customer, with reasons. */

export {
  type CustomerModel,
  createCustomerModel,
  customerModelFromJSON,
  type DueItemsOptions,
  type LearnOrdersResult,
  type PredictNextBasketOptions,
} from './create-customer-model.js';
export { CUSTOMER_MODEL_DEFAULTS } from './customer-model-options.js';
export { ordersFromEvents } from './orders-from-events.js';
export type {
  CustomerModelJSON,
  CustomerModelOptions,
  CustomerOrder,
  DueItem,
  NextBasketItem,
  NextOrderEstimate,
  RankerStatus,
} from './types.js';
