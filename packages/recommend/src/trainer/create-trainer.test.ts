// @vitest-environment node
import { createManualClock } from '@touchpoint/core/testing';
import { describe, expect, it } from 'vitest';
import { visit } from '../../test/storefront-events.js';
import { createRecommender } from '../recommender/create-recommender.js';
import { recommenderFromJSON } from '../recommender/recommender-from-json.js';
import { createRecommenderTrainer, type PublishedModel } from './create-trainer.js';

describe('createRecommenderTrainer', () => {
  it('learns from forwarded touchpoints and publishes every N interactions, after the delivery', async () => {
    const clock = createManualClock(0);
    const published: PublishedModel[] = [];
    const trainer = createRecommenderTrainer({
      clock,
      publishEveryInteractions: 10,
      publishIntervalMs: 0,
      onPublish: (p) => published.push(p),
    });
    await trainer.send(visit('s1', { anonymousId: 'a1' }, ['tent'], ['tent', 'pegs']));
    expect(trainer.pending).toBe(5);
    await trainer.send(visit('s2', { anonymousId: 'a2' }, ['tent'], ['tent', 'pegs']));
    expect(published).toHaveLength(0); // not inside send(): the forwarder gets its answer first
    await clock.advanceAsync(0);
    expect(published).toHaveLength(1);
    expect(trainer.pending).toBe(0);
    const model = recommenderFromJSON(published[0]!.json);
    expect(model.recommend({ items: ['tent'], k: 1 })[0]).toMatchObject({ item: 'pegs', because: ['tent'] });
    expect(trainer.current()).toBe(published[0]);
    await trainer.close();
  });

  it('publishes on a schedule only when something changed, and keeps the ETag of an unchanged model', async () => {
    const clock = createManualClock(0);
    const seeded = createRecommender();
    seeded.learnBaskets([
      ['stove', 'gas'],
      ['stove', 'gas', 'pot'],
    ]);
    const trainer = createRecommenderTrainer({ recommender: seeded, clock, publishIntervalMs: 60_000 });
    const first = trainer.publish();
    expect(first.version).toBe(1);
    await clock.advanceAsync(60_000);
    expect(trainer.current()).toBe(first);
    await trainer.send(visit('s1', { anonymousId: 'a1' }, [], ['stove', 'pot']));
    await clock.advanceAsync(60_000);
    const second = trainer.current()!;
    expect(second.version).toBe(2);
    expect(second.etag).not.toBe(first.etag);
    expect(trainer.publish()).toBe(second); // nothing new: same publication, same ETag
    await trainer.close();
    expect(clock.pending).toBe(0);
  });

  it('forget(subject) erases a customer and republishes at once', async () => {
    const clock = createManualClock(0);
    const trainer = createRecommenderTrainer({ clock, publishIntervalMs: 0 });
    for (let i = 0; i < 3; i++) await trainer.send(visit(`s${i}`, { anonymousId: `a${i}` }, [], ['lamp', 'bulb']));
    await trainer.send(visit('secret', { anonymousId: 'anon-x', userId: 'user-x' }, [], ['lamp', 'rare-thing']));
    const before = trainer.publish();
    expect(
      recommenderFromJSON(before.json)
        .recommend({ items: ['lamp'], k: 3, fillWithPopular: false })
        .map((r) => r.item),
    ).toContain('rare-thing');
    expect(trainer.forget('user-x')).toBe(1);
    const after = trainer.current()!;
    expect(after.version).toBe(before.version + 1);
    const items = recommenderFromJSON(after.json)
      .recommend({ items: ['lamp'], k: 3, fillWithPopular: false })
      .map((r) => r.item);
    expect(items).toEqual(['bulb']);
    expect(trainer.forget('nobody')).toBe(0);
    await trainer.close();
  });

  it('erase(request) forgets every id of a profile and publishes once (the forwarder fans erasures out to it)', async () => {
    const clock = createManualClock(0);
    const trainer = createRecommenderTrainer({ clock, publishIntervalMs: 0 });
    for (let i = 0; i < 3; i++) await trainer.send(visit(`s${i}`, { anonymousId: `a${i}` }, [], ['lamp', 'bulb']));
    // The same customer, before and after signing in on another device.
    await trainer.send(visit('p1', { anonymousId: 'anon-phone' }, [], ['lamp', 'rare-thing']));
    await trainer.send(visit('p2', { anonymousId: 'anon-laptop', userId: 'user-x' }, [], ['lamp', 'rare-thing']));
    const before = trainer.publish();
    await trainer.erase({ userIds: ['user-x'], anonymousIds: ['anon-phone', 'anon-laptop'] });
    const after = trainer.current()!;
    expect(after.version).toBe(before.version + 1);
    expect(
      recommenderFromJSON(after.json)
        .recommend({ items: ['lamp'], k: 3, fillWithPopular: false })
        .map((r) => r.item),
    ).toEqual(['bulb']);
    // Nothing of theirs left: no second publication.
    await trainer.erase({ userIds: ['user-x'], anonymousIds: [] });
    expect(trainer.current()!.version).toBe(after.version);
    await trainer.close();
  });

  it('ignores what it cannot learn from without failing the delivery', async () => {
    const trainer = createRecommenderTrainer({ publishIntervalMs: 0 });
    await expect(
      trainer.send([{ type: 'identify', userId: 'u', anonymousId: 'a', messageId: 'm', timestamp: 'x' }]),
    ).resolves.toBeUndefined();
    await expect(trainer.send(null as never)).resolves.toBeUndefined();
    expect(trainer.pending).toBe(0);
    expect(() => createRecommenderTrainer({ publishEveryInteractions: 0 })).toThrow(/publishEveryInteractions/);
  });
});
