/**
 * Who and when: the anonymous id (kept across visits), the user id from `identify`, and a
 * session id that rotates after a period of inactivity. Also notices a browser's first visit,
 * and keeps the session's campaign (UTM) so every event of the session can carry it.
 */
import { createMessageId, type EventContext } from '@touchpoint/core';
import type { KeyValue } from './environment.js';

interface SessionRecord {
  id: string;
  /** Last activity, ms since the epoch. */
  at: number;
  campaign?: EventContext['campaign'];
}

export interface IdentityStore {
  readonly anonymousId: string;
  readonly userId: string | undefined;
  /** `true` when this tracker created the anonymous id: the browser's first visit. */
  readonly firstVisit: boolean;
  /** Marks activity now; returns the session and whether it just started. */
  touch(now: number): { session: SessionRecord; started: boolean };
  setUserId(userId: string): void;
  setCampaign(campaign: EventContext['campaign']): void;
  /** Forgets every id (right to erasure) and starts afresh. */
  reset(): void;
}

export function createIdentityStore(kv: KeyValue, namespace: string, sessionTimeoutMs: number): IdentityStore {
  const key = (name: string) => `tp:${namespace}:${name}`;
  let firstVisit = false;
  let anonymousId = kv.get(key('aid'));
  if (!anonymousId) {
    anonymousId = createMessageId();
    kv.set(key('aid'), anonymousId);
    firstVisit = true;
  }
  let userId = kv.get(key('uid')) ?? undefined;
  let session: SessionRecord | undefined;
  try {
    session = JSON.parse(kv.get(key('sid')) ?? 'null') ?? undefined;
  } catch {}

  const save = () => kv.set(key('sid'), JSON.stringify(session));

  return {
    get anonymousId() {
      return anonymousId!;
    },
    get userId() {
      return userId;
    },
    get firstVisit() {
      return firstVisit;
    },
    touch(now) {
      let started = false;
      // Another tab may have moved the session on: read before deciding.
      try {
        const stored: SessionRecord | null = JSON.parse(kv.get(key('sid')) ?? 'null');
        if (stored && (!session || stored.at >= session.at)) session = stored;
      } catch {}
      if (!session || typeof session.at !== 'number' || now - session.at > sessionTimeoutMs) {
        session = { id: createMessageId(), at: now };
        started = true;
      }
      session.at = now;
      save();
      return { session, started };
    },
    setUserId(id) {
      userId = id;
      kv.set(key('uid'), id);
    },
    setCampaign(campaign) {
      if (session) {
        session.campaign = campaign;
        save();
      }
    },
    reset() {
      for (const name of ['aid', 'uid', 'sid']) kv.remove(key(name));
      anonymousId = createMessageId();
      kv.set(key('aid'), anonymousId);
      userId = undefined;
      session = undefined;
      firstVisit = false;
    },
  };
}
