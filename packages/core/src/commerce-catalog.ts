/**
 * A ready catalog for online retail, covering all seven journey stages. Property types are
 * declared with `props<T>()`, so this whole catalog costs the browser only its names and labels.
 * Extend it with your own entries: `defineTouchpoints({ ...commerceTouchpoints, 'my.thing': … })`.
 */
import { defineTouchpoints, props } from './catalog.js';

type Money = { value: number; currency?: string };
type Product = { productId: string; name?: string; category?: string; price?: number; currency?: string };
type LineItem = { productId: string; quantity: number; price?: number };

export const commerceTouchpoints = /* @__PURE__ */ defineTouchpoints({
  // Awareness
  'ad.clicked': {
    stage: 'awareness',
    channel: 'web',
    owner: 'marketing',
    description: 'Customer arrived from a paid ad.',
    properties: props<{ campaign?: string; network?: string; adId?: string }>(),
  },
  'campaign.landed': {
    stage: 'awareness',
    channel: 'web',
    owner: 'marketing',
    description: 'First page of a session that carried UTM parameters.',
    properties: props<{ source?: string; medium?: string; campaign?: string; referrer?: string }>(),
  },
  'site.first_visit': {
    stage: 'awareness',
    channel: 'web',
    owner: 'marketing',
    description: 'First visit of this browser to the shop.',
    properties: props<{ referrer?: string; landingPage?: string }>(),
  },
  'social.engaged': {
    stage: 'awareness',
    channel: 'social',
    owner: 'marketing',
    description: 'Liked, commented on or followed the brand on social media.',
    properties: props<{ network: string; action?: string }>(),
  },
  // Consideration
  'search.performed': {
    stage: 'consideration',
    channel: 'web',
    owner: 'merchandising',
    description: 'Searched the catalogue.',
    properties: props<{ query: string; results?: number }>(),
  },
  'product.viewed': {
    stage: 'consideration',
    channel: 'web',
    owner: 'merchandising',
    description: 'Opened a product page.',
    properties: props<Product>(),
  },
  'product.compared': {
    stage: 'consideration',
    channel: 'web',
    owner: 'merchandising',
    description: 'Compared products side by side.',
    properties: props<{ productIds: string[] }>(),
  },
  'wishlist.added': {
    stage: 'consideration',
    channel: 'web',
    owner: 'merchandising',
    description: 'Saved a product for later.',
    properties: props<{ productId: string }>(),
  },
  'cart.item_added': {
    stage: 'consideration',
    channel: 'web',
    owner: 'ecommerce',
    description: 'Added a product to the cart.',
    properties: props<Product & { quantity?: number; cartId?: string }>(),
  },
  'cart.item_removed': {
    stage: 'consideration',
    channel: 'web',
    owner: 'ecommerce',
    description: 'Removed a product from the cart.',
    properties: props<{ productId: string; quantity?: number; cartId?: string }>(),
  },
  // Purchase
  'checkout.started': {
    stage: 'purchase',
    channel: 'web',
    owner: 'ecommerce',
    description: 'Began checkout.',
    properties: props<{ cartId?: string; total?: number; currency?: string; items?: LineItem[] }>(),
  },
  'payment.submitted': {
    stage: 'purchase',
    channel: 'web',
    owner: 'payments',
    description: 'Submitted payment details.',
    properties: props<{ method?: string; total?: number; currency?: string }>(),
  },
  'payment.failed': {
    stage: 'purchase',
    channel: 'web',
    owner: 'payments',
    description: 'A payment attempt failed.',
    properties: props<{ method?: string; reason?: string }>(),
  },
  'order.completed': {
    stage: 'purchase',
    channel: 'web',
    owner: 'ecommerce',
    description: 'Placed an order.',
    properties: props<{ orderId: string; total: number; currency?: string; items?: LineItem[]; coupon?: string }>(),
  },
  // Retention
  'account.created': {
    stage: 'retention',
    channel: 'web',
    owner: 'crm',
    description: 'Created a customer account.',
    properties: props<{ method?: string }>(),
  },
  'newsletter.subscribed': {
    stage: 'retention',
    channel: 'email',
    owner: 'crm',
    description: 'Subscribed to the newsletter.',
    properties: props<{ list?: string }>(),
  },
  'order.shipped': {
    stage: 'retention',
    channel: 'email',
    owner: 'fulfilment',
    description: 'The order left the warehouse (server-side).',
    properties: props<{ orderId: string; carrier?: string }>(),
  },
  'order.delivered': {
    stage: 'retention',
    channel: 'email',
    owner: 'fulfilment',
    description: 'The order reached the customer (server-side).',
    properties: props<{ orderId: string }>(),
  },
  'loyalty.joined': {
    stage: 'retention',
    channel: 'web',
    owner: 'crm',
    description: 'Joined the loyalty programme.',
    properties: props<{ tier?: string }>(),
  },
  'store.visited': {
    stage: 'retention',
    channel: 'store',
    owner: 'retail',
    description: 'Visited a physical store.',
    properties: props<{ storeId: string }>(),
  },
  // Advocacy
  'review.written': {
    stage: 'advocacy',
    channel: 'web',
    owner: 'cx',
    description: 'Wrote a product review.',
    properties: props<{ productId: string; rating?: number }>(),
  },
  'referral.sent': {
    stage: 'advocacy',
    channel: 'web',
    owner: 'marketing',
    description: 'Referred a friend.',
    properties: props<{ channel?: string; code?: string }>(),
  },
  'social.shared': {
    stage: 'advocacy',
    channel: 'social',
    owner: 'marketing',
    description: 'Shared a product or order.',
    properties: props<{ network?: string; productId?: string }>(),
  },
  // Service
  'support.contacted': {
    stage: 'service',
    channel: 'chat',
    owner: 'support',
    description: 'Opened a support conversation.',
    properties: props<{ topic?: string; orderId?: string; caseId?: string }>(),
  },
  'support.case_closed': {
    stage: 'service',
    channel: 'chat',
    owner: 'support',
    description: 'A support case was closed (server-side).',
    properties: props<{ caseId: string; resolved?: boolean }>(),
  },
  'return.requested': {
    stage: 'service',
    channel: 'web',
    owner: 'fulfilment',
    description: 'Asked to return an order.',
    properties: props<{ orderId: string; reason?: string; items?: LineItem[] }>(),
  },
  'refund.issued': {
    stage: 'service',
    channel: 'email',
    owner: 'payments',
    description: 'A refund was issued (server-side).',
    properties: props<{ orderId: string; amount?: Money }>(),
  },
  // Upsell
  'offer.shown': {
    stage: 'upsell',
    channel: 'web',
    owner: 'growth',
    description: 'An upsell or recovery offer was shown.',
    properties: props<{ offerId: string; item?: string; trigger?: string; kind?: 'upsell' | 'recovery' }>(),
  },
  'offer.accepted': {
    stage: 'upsell',
    channel: 'web',
    owner: 'growth',
    description: 'The customer accepted an offer.',
    properties: props<{ offerId: string; item?: string; kind?: 'upsell' | 'recovery' }>(),
  },
  'offer.dismissed': {
    stage: 'upsell',
    channel: 'web',
    owner: 'growth',
    description: 'The customer dismissed an offer.',
    properties: props<{ offerId: string; item?: string; kind?: 'upsell' | 'recovery' }>(),
  },
});

export type CommerceTouchpoints = typeof commerceTouchpoints;
