import { Tracker } from './tracker';

export const dynamic = 'force-dynamic';

export default function Page() {
  return (
    <main>
      <h1>Touchpoint in Next.js</h1>
      <Tracker />
    </main>
  );
}
