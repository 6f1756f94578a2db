/**
 * UTF-8 size of a string. The page uses the platform's encoder (a few bytes of code) rather than
 * core's allocation-free loop, which exists for servers measuring every event of a busy ingest.
 */
export const byteLength = (text: string): number => new TextEncoder().encode(text).length;
