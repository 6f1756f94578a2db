/**
 * Keeps the best `k` of a stream of items in `top`, best first, with one insertion step per item:
 * cheaper than sorting everything when k (10, 32) is small next to the candidates.
 */

/**
 * Offers `item` to `top` (at most `k` long, ordered by `better`); it is inserted in place when it
 * beats the current last entry or `top` is not full yet.
 *
 * @example
 * const top: number[] = [];
 * for (const i of candidates) offerTopK(top, 10, i, (a, b) => score[a]! > score[b]!);
 */
export function offerTopK(top: number[], k: number, item: number, better: (a: number, b: number) => boolean): void {
  if (top.length === k && !better(item, top[k - 1]!)) return;
  let p = top.length === k ? k - 1 : top.length;
  while (p > 0 && better(item, top[p - 1]!)) {
    top[p] = top[p - 1]!;
    p--;
  }
  top[p] = item;
}
