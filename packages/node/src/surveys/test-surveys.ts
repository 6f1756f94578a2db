/** The surveys the tests share: one of each trigger and exception. */
import { defineSurveys } from './definitions.js';

export const shopSurveys = defineSurveys({
  'after-order': {
    kind: 'csat',
    question: { en: 'How was your order?', vi: 'Đơn hàng của bạn thế nào?' },
    trigger: { serverEvent: 'order.delivered' },
    topic: 'delivery',
  },
  'after-case': {
    kind: 'csat',
    question: { en: 'How did we handle your request?', vi: 'Chúng tôi xử lý yêu cầu của bạn thế nào?' },
    trigger: { serverEvent: 'case.resolved' },
    topic: 'delivery',
    aboutCase: true,
  },
  'after-refund': {
    kind: 'ces',
    question: { en: 'How easy was your refund?', vi: 'Việc hoàn tiền có dễ dàng không?' },
    trigger: { serverEvent: 'refund.issued' },
    sample: 0.3,
  },
  'payment-ease': {
    kind: 'ces',
    question: { en: 'Was paying easy?', vi: 'Thanh toán có dễ không?' },
    trigger: { serverEvent: 'payment.retried' },
    paymentStep: true,
  },
  'why-cart': {
    kind: 'single',
    question: { en: 'Why did you remove it?', vi: 'Vì sao bạn bỏ sản phẩm?' },
    options: [
      { id: 'too_expensive', label: { en: 'Too expensive', vi: 'Quá đắt' } },
      { id: 'shipping_cost', label: { en: 'Shipping costs', vi: 'Phí giao hàng' } },
      { id: 'changed_mind', label: { en: 'Changed my mind', vi: 'Đổi ý' } },
    ],
    trigger: { touchpoint: 'cart.item_removed' },
    about: 'cart.abandoned',
    followUp: true,
  },
});
