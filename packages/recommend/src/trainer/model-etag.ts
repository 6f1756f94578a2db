/**
 * A content hash for the published model's `ETag`: the same model bytes always get the same tag
 * (also across restarts), so browsers revalidate with `If-None-Match` and get a `304`.
 * cyrb53 — fast, platform-free, 53 bits: ample for telling model versions apart (not a MAC).
 */

/** @example modelEtag('{"items":[]}'); // '"3c9c5e1f2a7b1-12"' */
export function modelEtag(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hash = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return `"${hash.toString(16)}-${text.length.toString(16)}"`;
}
