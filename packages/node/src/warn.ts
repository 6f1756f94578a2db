/**
 * The default reporter of the forwarder and the ingest when the caller passes no `onError` /
 * `onDrop`: one console line per kind of problem at most every 10 s, with a count of what was
 * folded in, so an overloaded server (or one whose Redis is down) does not also flood its logs.
 */

/** Returns `warn(kind, message)`; each reporter keeps its own folding state. */
export function createWarn(): (kind: string, message: string) => void {
  const last = new Map<string, { at: number; folded: number }>();
  return (kind, message) => {
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < 10_000) {
      seen.folded++;
      return;
    }
    const folded = seen?.folded ? ` (+${seen.folded} similar in the last ${Math.round((now - seen.at) / 1000)} s)` : '';
    last.set(kind, { at: now, folded: 0 });
    console.warn(`[touchpoint] ${message}${folded}`);
  };
}
