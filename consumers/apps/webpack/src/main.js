// A storefront entry in plain JavaScript (type-checked with checkJs), bundled by webpack 5.
import { createTracker } from '@touchpoint/browser';
import { commerceTouchpoints } from '@touchpoint/core';

const endpoint = new URLSearchParams(location.search).get('endpoint') ?? '/api/touchpoints';
export const tp = createTracker({ endpoint, writeKey: 'pk_test_bundler', touchpoints: commerceTouchpoints });

tp.track('cart.item_added', { productId: 'mug-42', quantity: 2 });
const status = document.getElementById('status');
tp.flush().then((result) => {
  if (status) status.textContent = result.ok ? 'flushed' : 'not flushed';
});
