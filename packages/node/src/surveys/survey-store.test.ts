import { describe, expect, it } from 'vitest';
import { createMemorySurveyStore } from './survey-store.js';

describe('createMemorySurveyStore', () => {
  it('forgets all it keeps about one customer (last shown, queued prompts) and nothing of others', async () => {
    const store = createMemorySurveyStore();
    await store.markShown('user-alice', 'csat', 1000);
    await store.addPending('user-alice', { survey: 'after-order', at: 1000, properties: { orderId: 'o-alice-1' } });
    await store.addPending('user-alice', { survey: 'after-case', at: 1000, properties: { caseId: 'case-alice' } });
    await store.addPending('anon-alice', { survey: 'after-order', at: 1000 });
    await store.markShown('user-bob', 'csat', 2000);
    await store.addPending('user-bob', { survey: 'after-order', at: 2000 });

    expect(await store.forget('user-alice')).toBe(3);
    expect(await store.forget('anon-alice')).toBe(1);
    expect(await store.forget('nobody')).toBe(0);
    expect(await store.lastShown('user-alice')).toBeUndefined();
    expect(await store.takePending('user-alice')).toEqual([]);
    expect(await store.takePending('anon-alice')).toEqual([]);
    expect(await store.lastShown('user-bob')).toBe(2000);
    expect(await store.takePending('user-bob')).toHaveLength(1);
  });
});
