// A tiny static server for dist/ with the headers that make the page cross-origin isolated
// (so WASM can use threads) and the MIME types browsers insist on (application/wasm for
// WebAssembly.instantiateStreaming). Usage: node scripts/serve.mjs [--port 8080] [--dir dist]
import {createReadStream, statSync} from 'node:fs';
import {createServer} from 'node:http';
import {dirname, extname, join, normalize, resolve, sep} from 'node:path';
import {fileURLToPath} from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts the server; resolves with the node http.Server once it listens.
 * @param {{dir?: string, port?: number, host?: string, quiet?: boolean}} opts port 0 = any free port
 */
export function serve({dir, port = 8080, host = '127.0.0.1', quiet = false} = {}) {
  const root = resolve(dir ?? join(dirname(fileURLToPath(import.meta.url)), '../dist'));
  const server = createServer((req, res) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      st = null;
    }
    if (!st || !st.isFile()) {
      res.writeHead(404, {...headers, 'Content-Type': 'text/plain; charset=utf-8'}).end(`not found: ${path}`);
      if (!quiet) console.log(`404 ${path}`);
      return;
    }
    res.writeHead(200, {...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size});
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      if (!quiet) console.log(`playground: serving ${root} at http://${host}:${server.address().port}/ (COOP/COEP on)`);
      ok(server);
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : dflt;
  };
  serve({port: Number(arg('port', process.env.PORT ?? 8080)), dir: arg('dir'), host: arg('host', '127.0.0.1')}).catch((e) => {
    console.error(`playground: ${e.message}`);
    process.exit(1);
  });
}
