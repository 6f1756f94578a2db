import { afterEach, describe, expect, it } from 'vitest';
import { campaignFrom, externalReferrer, watchNavigation } from './page-capture.js';

describe('campaignFrom', () => {
  it('reads the UTM parameters, utm_campaign as `name`', () => {
    expect(
      campaignFrom('?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=tent&utm_content=hero&x=1'),
    ).toEqual({ source: 'news', medium: 'email', name: 'spring', term: 'tent', content: 'hero' });
  });

  it('keeps only the parameters present and non-empty', () => {
    expect(campaignFrom('?utm_source=ads&utm_medium=')).toEqual({ source: 'ads' });
  });

  it('is undefined for an address without a campaign', () => {
    expect(campaignFrom('')).toBeUndefined();
    expect(campaignFrom('?q=tent&page=2')).toBeUndefined();
  });
});

describe('externalReferrer', () => {
  const page = (referrer: string) =>
    ({ document: { referrer }, location: { host: 'shop.example' } }) as unknown as Window;

  it('is the referrer when the visit came from another site', () => {
    expect(externalReferrer(page('https://search.example/?q=tent'))).toBe('https://search.example/?q=tent');
  });

  it('is undefined for a link within the shop, no referrer, or one that is not a URL', () => {
    expect(externalReferrer(page('https://shop.example/cart'))).toBeUndefined();
    expect(externalReferrer(page(''))).toBeUndefined();
    expect(externalReferrer(page('not a url'))).toBeUndefined();
  });
});

describe('watchNavigation', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    window.history.replaceState(null, '', '/');
  });
  const watch = () => {
    const seen: string[] = [];
    stops.push(watchNavigation(window, () => seen.push(location.pathname + location.search)));
    return seen;
  };

  it('reports each single-page-app navigation to a new address, once', () => {
    const seen = watch();
    history.pushState(null, '', '/products/tent');
    history.pushState(null, '', '/products/tent'); // same address: not a new page
    history.replaceState(null, '', '/products/tent?colour=green');
    expect(seen).toEqual(['/products/tent', '/products/tent?colour=green']);
  });

  it('reports back and forward (popstate)', () => {
    const original = history.pushState;
    const seen = watch();
    original.call(history, null, '', '/cart'); // the address changes without the wrapper…
    window.dispatchEvent(new PopStateEvent('popstate')); // …as the browser does on "back"
    expect(seen).toEqual(['/cart']);
  });

  it('goes quiet when stopped, and leaves the history methods working', () => {
    const seen = watch();
    stops.pop()!();
    history.pushState(null, '', '/checkout');
    expect(seen).toEqual([]);
    expect(location.pathname).toBe('/checkout');
  });

  it("gives every watcher its call and keeps someone else's wrapper working (several trackers, a router)", () => {
    const one = watch();
    const routerSaw: string[] = [];
    const inner = history.pushState;
    history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
      routerSaw.push(String(args[2]));
      return inner.apply(this, args);
    };
    const two = watch();
    history.pushState(null, '', '/account');
    expect(one).toEqual(['/account']);
    expect(two).toEqual(['/account']);
    expect(routerSaw).toEqual(['/account']);
  });
});
