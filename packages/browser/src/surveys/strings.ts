/** The feedback tab's words and its default topics, in English and Vietnamese. */
export const TAB_STRINGS = {
  en: {
    tab: 'Feedback',
    question: 'Tell us what you think',
    topics: [
      { id: 'product.viewed', label: 'Products' },
      { id: 'search.performed', label: 'Finding things' },
      { id: 'checkout.completed', label: 'Checkout and payment' },
      { id: 'order.delivered', label: 'Delivery' },
      { id: 'site.feedback', label: 'Something else' },
    ],
  },
  vi: {
    tab: 'Góp ý',
    question: 'Hãy cho chúng tôi biết suy nghĩ của bạn',
    topics: [
      { id: 'product.viewed', label: 'Sản phẩm' },
      { id: 'search.performed', label: 'Tìm kiếm' },
      { id: 'checkout.completed', label: 'Thanh toán' },
      { id: 'order.delivered', label: 'Giao hàng' },
      { id: 'site.feedback', label: 'Điều khác' },
    ],
  },
};

export const tabStringsFor = (locale: string | undefined) =>
  locale?.toLowerCase().startsWith('vi') ? TAB_STRINGS.vi : TAB_STRINGS.en;
