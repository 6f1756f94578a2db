/**
 * Who and when: the anonymous id (kept across visits), the user id from `identify`, and a
 * session id that rotates after a period of inactivity. Also notices a browser's first visit,
 * and keeps the session's campaign (UTM) so every event of the session can carry it.
 *
 * Stored in localStorage under `tp:<namespace>:aid|uid|sid`; `reset_()` also forgets `cst`, the
 * last consent decision recorded for these ids (written by consent-record.ts). The session record is stored as
 * JSON, so its fields keep their names. The store's own members end in `_`: internal, and
 * shortened by the build (see tsup.config.ts).
 */
import type { EventContext } from '@touchpoint/core';
import type { KeyValue } from './environment.js';
import { createMessageId } from './message-id.js';

interface SessionRecord {
  id: string;
  /** Last activity, ms since the epoch. */
  at: number;
  campaign?: EventContext['campaign'];
}

/** What `touch_` answers: the current session, and whether it started with this touch. */
export interface SessionTouch {
  session_: SessionRecord;
  started_: boolean;
}

export interface IdentityStore {
  readonly anonymousId_: string;
  readonly userId_: string | undefined;
  /** `true` when this tracker created the anonymous id: the browser's first visit. */
  readonly firstVisit_: boolean;
  /** Marks activity now. */
  touch_(now: number): SessionTouch;
  setUserId_(userId: string): void;
  setCampaign_(campaign: EventContext['campaign']): void;
  /** Forgets every id (right to erasure) and starts afresh. */
  reset_(): void;
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
  const ids: IdentityStore & { anonymousId_: string; userId_: string | undefined; firstVisit_: boolean } = {
    anonymousId_: stored || newAnonymousId(),
    userId_: kv.get(key('uid')) ?? undefined,
    firstVisit_: !stored,
    touch_(now) {
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
      return { session_: session, started_: started };
    },
    setUserId_(id) {
      ids.userId_ = id;
      kv.set(key('uid'), id);
    },
    setCampaign_(campaign) {
      if (session) {
        session.campaign = campaign;
        save();
      }
    },
    reset_() {
      for (const name of ['aid', 'uid', 'sid', 'cst']) kv.remove(key(name));
      ids.anonymousId_ = newAnonymousId();
      ids.userId_ = undefined;
      session = undefined;
      ids.firstVisit_ = false;
    },
  };
  return ids;
}
