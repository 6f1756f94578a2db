// The wrapper form: a route function that does something of its own, then hands over to the ingest.
import { ingest } from '../../../lib/forwarder';

export async function POST(request: Request): Promise<Response> {
  const ip = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return ingest(request, ip ? { ip } : {});
}
