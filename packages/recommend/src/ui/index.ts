/**
 * `@touchpoint/recommend/ui` — the default offer card. A separate entry so shops that render
 * offers themselves never download it.
 */
export { applyCardStyles, CARD_CSS } from './card-styles.js';
export {
  formatPrice,
  type OfferCard,
  type OfferCardLabels,
  type OfferCardOptions,
  renderOfferCard,
} from './offer-card.js';
