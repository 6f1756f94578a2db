/**
 * Serves the built storefront: files under `/assets/` from disk, and the shop's page for every
 * other GET, because the shop routes in the browser (`/products/…`, `/cart`, `/orders/…`) and a
 * reload of any of them must land on the same page.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * @example
 * const serve = createStaticFiles('examples/storefront/dist');
 * http.createServer((req, res) => void serve(req, res, new URL(req.url!, 'http://x').pathname));
 */
export function createStaticFiles(root: string) {
  const base = normalize(root);
  return async function serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const isAsset = path.startsWith('/assets/');
    let file = isAsset ? normalize(join(base, decodeURIComponent(path))) : join(base, 'index.html');
    if (!file.startsWith(base + sep)) {
      res.writeHead(404).end();
      return;
    }
    if (isAsset && extname(file) === '') file = join(file, 'index.html');
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Demo assets change on every build: always revalidate.
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      if (isAsset) res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      else
        res
          .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
          .end('The storefront is not built yet: run `pnpm demo` (or `node examples/storefront/build.mjs`).');
    }
  };
}
