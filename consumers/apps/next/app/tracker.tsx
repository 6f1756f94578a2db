'use client';
// A client component importing the tracker at module level, as shops do: it is server-rendered too.
import { createTracker } from '@touchpoint/browser';
import { useEffect, useState } from 'react';

export const tp = createTracker({ endpoint: '/api/touchpoints', writeKey: 'pk_test_next' });

export function Tracker() {
  const [status, setStatus] = useState('server-rendered');
  useEffect(() => {
    tp.track('consumer.next_mounted', { framework: 'next' });
    tp.flush().then((r) => setStatus(r.ok ? 'flushed' : 'not flushed'));
  }, []);
  return <p id="tracker-status">tracker {status}</p>;
}
