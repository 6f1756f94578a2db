/** Browser glue: connect a tracker to the planner. */
export {
  type ConnectUpsellOptions,
  connectUpsell,
  type OfferActions,
  type OfferRenderer,
  type RenderedOffer,
  type UpsellConnection,
} from './connect-upsell.js';
export type { UpsellTracker } from './tracker-shape.js';
