/**
 * The shop's surveys in the page (`@touchpoint/browser/surveys`, loaded after the first load): a
 * "why?" when an item is removed from the cart, the feedback tab on every page, and whatever the
 * server asks for in the ingest's answers (the after-order CSAT, see examples/server/src/demo-surveys.ts).
 */
import type { BrowserSurvey, SurveyTracker } from '@touchpoint/browser/surveys';

export const shopSurveys: Record<string, BrowserSurvey> = {
  'why-cart': {
    kind: 'single',
    question: { en: 'Why did you remove it from your cart?', vi: 'Vì sao bạn bỏ sản phẩm khỏi giỏ?' },
    options: [
      { id: 'too_expensive', label: { en: 'Too expensive', vi: 'Quá đắt' } },
      { id: 'shipping_cost', label: { en: 'Delivery costs too much', vi: 'Phí giao hàng cao' } },
      { id: 'found_elsewhere', label: { en: 'Found it elsewhere', vi: 'Đã tìm thấy ở nơi khác' } },
      { id: 'changed_mind', label: { en: 'Changed my mind', vi: 'Đổi ý' } },
    ],
    trigger: { touchpoint: 'cart.item_removed' },
    about: 'cart.abandoned',
    followUp: true,
  },
};

/**
 * @example
 * startShopSurveys(tp);
 */
export function startShopSurveys(tp: SurveyTracker): void {
  void import('@touchpoint/browser/surveys')
    .then(({ startSurveys }) =>
      // A demo asks every time; a shop keeps the 30-day cap across surveys.
      startSurveys(tp, { surveys: shopSurveys, capDays: 0 }),
    )
    .catch((error) => console.warn('[surveys]', error));
}
