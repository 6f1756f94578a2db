import { createRecommender } from '@touchpoint/recommend';
import { describe, expect, it } from 'vitest';
import { createModelEndpoint } from './model-endpoint.js';

function modelOf(baskets: string[][]) {
  const r = createRecommender();
  r.learnBaskets(baskets);
  return r.toJSON();
}

describe('createModelEndpoint', () => {
  it('serves the model with an ETag and answers 304 when the browser already has it', async () => {
    const endpoint = createModelEndpoint(
      modelOf([
        ['milk', 'bread'],
        ['milk', 'butter'],
      ]),
    );
    const first = await endpoint(new Request('http://shop/model.json'));
    expect(first.status).toBe(200);
    expect((await first.json()).items).toEqual(expect.arrayContaining(['milk', 'bread', 'butter']));
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await endpoint(new Request('http://shop/model.json', { headers: { 'if-none-match': etag } }));
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('changes the ETag when a new model is published', async () => {
    const endpoint = createModelEndpoint(modelOf([['milk', 'bread']]));
    const before = endpoint.etag;
    endpoint.publish(
      modelOf([
        ['milk', 'bread'],
        ['tea', 'biscuits'],
      ]),
    );
    expect(endpoint.etag).not.toBe(before);
    const res = await endpoint(new Request('http://shop/model.json', { headers: { 'if-none-match': before } }));
    expect(res.status).toBe(200);
  });
});
