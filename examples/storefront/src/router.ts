/**
 * The shop's routes: plain paths (no hash), so the tracker's page views carry real paths and the
 * server answers every one of them with the same page.
 */
export type Route =
  | { name: 'home' }
  | { name: 'product'; productId: string }
  | { name: 'cart' }
  | { name: 'checkout' }
  | { name: 'order'; orderId: string }
  | { name: 'support' }
  | { name: 'not-found'; path: string };

/**
 * Reads a path into a route.
 *
 * @example
 * parseRoute('/products/whole-milk'); // { name: 'product', productId: 'whole-milk' }
 */
export function parseRoute(path: string): Route {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/') return { name: 'home' };
  if (clean === '/cart') return { name: 'cart' };
  if (clean === '/checkout') return { name: 'checkout' };
  if (clean === '/support') return { name: 'support' };
  const product = /^\/products\/([a-z0-9-]+)$/.exec(clean);
  if (product) return { name: 'product', productId: product[1]! };
  const order = /^\/orders\/([A-Za-z0-9-]+)$/.exec(clean);
  if (order) return { name: 'order', orderId: order[1]! };
  return { name: 'not-found', path };
}

/** The page title for a route, shown in the tab and carried by page views. */
export function routeTitle(route: Route, productName?: string): string {
  switch (route.name) {
    case 'home':
      return 'Corner Grocer — fresh groceries delivered';
    case 'product':
      return `${productName ?? 'Product'} — Corner Grocer`;
    case 'cart':
      return 'Your cart — Corner Grocer';
    case 'checkout':
      return 'Checkout — Corner Grocer';
    case 'order':
      return 'Thank you for your order — Corner Grocer';
    case 'support':
      return 'Help & contact — Corner Grocer';
    default:
      return 'Page not found — Corner Grocer';
  }
}
