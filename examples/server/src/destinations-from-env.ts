/**
 * The demo's destinations: the JSONL file always (the embedded default, no other system needed),
 * plus a signed webhook and a Segment-compatible API when environment variables name them.
 */
import { join } from 'node:path';
import { TouchpointConfigError } from '@touchpoint/core';
import { type Destination, destinations } from '@touchpoint/node';

export interface DemoEnv {
  TOUCHPOINT_WEBHOOK_URL?: string | undefined;
  TOUCHPOINT_WEBHOOK_SECRET?: string | undefined;
  SEGMENT_WRITE_KEY?: string | undefined;
  SEGMENT_HOST?: string | undefined;
}

/**
 * @example
 * createForwarder({ destinations: destinationsFromEnv('examples/server/data', process.env) });
 */
export function destinationsFromEnv(dataDir: string, env: DemoEnv): Destination[] {
  const list: Destination[] = [
    // The local audit file never holds an email or IP in the clear: identities are hashed the way
    // `hashIdentity` does (joinable, not readable) and the IP is dropped.
    destinations.jsonl({
      path: join(dataDir, 'touchpoints.jsonl'),
      policy: { hash: ['identities'], drop: ['context.ip'] },
    }),
  ];
  if (env.TOUCHPOINT_WEBHOOK_URL) {
    if (!env.TOUCHPOINT_WEBHOOK_SECRET) {
      // Unsigned webhooks cannot be verified by the receiver: refuse to start rather than send them.
      throw new TouchpointConfigError('TOUCHPOINT_WEBHOOK_SECRET', 'must be set when TOUCHPOINT_WEBHOOK_URL is');
    }
    list.push(destinations.webhook({ url: env.TOUCHPOINT_WEBHOOK_URL, secret: env.TOUCHPOINT_WEBHOOK_SECRET }));
  }
  if (env.SEGMENT_WRITE_KEY) {
    list.push(
      destinations.segment({
        writeKey: env.SEGMENT_WRITE_KEY,
        ...(env.SEGMENT_HOST ? { host: env.SEGMENT_HOST } : {}),
      }),
    );
  }
  return list;
}
