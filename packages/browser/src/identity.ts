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
  touch(now: number): [session: SessionRecord, started: boolean];
  setUserId(userId: string): void;
  setCampaign(campaign: EventContext['campaign']): void;
  /** Forgets every id (right to erasure) and starts afresh. */
  reset(): void;
}

export function createIdentityStore(kv: KeyValue, namespace: string, sessionTimeoutMs: number): IdentityStore {
  const key = (name: string) => `tp:${namespace}:${name}`;
  /** The stored session, which another tab may have moved on. */
  const read = (): SessionRecord | undefined => {
    try {
      return JSON.parse(kv.get(key('sid')) ?? 'null') ?? undefined;
    } catch {}
  };
  const save = () => kv.set(key('sid'), JSON.stringify(session));
  const newAnonymousId = () => {
    const id = createMessageId();
    kv.set(key('aid'), id);
    return id;
  };
  let session = read();
  const stored = kv.get(key('aid'));
  // A plain object whose fields the methods below keep current.
  const ids = {
    anonymousId: stored || newAnonymousId(),
    userId: kv.get(key('uid')) ?? undefined,
    firstVisit: !stored,
    touch(now: number): [SessionRecord, boolean] {
      let started = false;
      // Another tab may have moved the session on: read before deciding.
      const latest = read();
      if (latest && (!session || latest.at >= session.at)) session = latest;
      if (!session || typeof session.at !== 'number' || now - session.at > sessionTimeoutMs) {
        session = { id: createMessageId(), at: now };
        started = true;
      }
      session.at = now;
      save();
      return [session, started];
    },
    setUserId(id: string) {
      ids.userId = id;
      kv.set(key('uid'), id);
    },
    setCampaign(campaign: EventContext['campaign']) {
      if (session) {
        session.campaign = campaign;
        save();
      }
    },
    reset() {
      for (const name of ['aid', 'uid', 'sid']) kv.remove(key(name));
      ids.anonymousId = newAnonymousId();
      ids.userId = undefined;
      session = undefined;
      ids.firstVisit = false;
    },
  };
  return ids;
}
