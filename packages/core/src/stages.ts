/**
 * Journey stages and channels: the two axes every touchpoint is placed on.
 *
 * These are plain constants so the browser pays a few bytes for them, and every package
 * (tracker, forwarder, dashboard) agrees on the same spelling.
 */

/** The seven journey stages, in the order a customer usually meets them. */
export const JOURNEY_STAGES = [
  'awareness',
  'consideration',
  'purchase',
  'retention',
  'advocacy',
  'service',
  'upsell',
] as const;

export type JourneyStage = (typeof JOURNEY_STAGES)[number];

/** Channels Touchpoint knows by name. Any other non-empty string is accepted as a custom channel. */
export const CHANNELS = ['web', 'app', 'email', 'sms', 'social', 'chat', 'call', 'store', 'marketplace'] as const;

export type KnownChannel = (typeof CHANNELS)[number];

/** A known channel, or a custom one (`'kiosk'`, `'whatsapp'`…). The `string & {}` keeps editor hints. */
export type Channel = KnownChannel | (string & {});

/** `true` when `value` is one of the seven journey stages. */
export function isJourneyStage(value: unknown): value is JourneyStage {
  return typeof value === 'string' && (JOURNEY_STAGES as readonly string[]).includes(value);
}

/** `true` when `value` is a usable channel name: a known one or a custom 1-64 character string. */
export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && value.length > 0 && value.length <= 64;
}
