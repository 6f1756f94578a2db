// @vitest-environment node
import { describe, expect, it } from 'vitest';

describe('server-side rendering', () => {
  it('imports without touching browser globals and returns a harmless tracker', async () => {
    expect(typeof window).toBe('undefined');
    const { createTracker } = await import('./index.js');
    const { showFeedbackPrompt } = await import('./widget/index.js');
    const tp = createTracker({ endpoint: '/t', writeKey: 'k' });
    const result = tp.track('x');
    expect(result).toEqual({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/server/) } });
    expect(tp.feedback({ kind: 'nps', score: 9 }).ok).toBe(false);
    expect(await tp.flush()).toEqual({ ok: false, pending: 0 });
    expect(() => tp.reset()).not.toThrow();
    expect(await showFeedbackPrompt(tp, { kind: 'nps' }).result).toEqual({ status: 'skipped', reason: 'unavailable' });
  });
});
