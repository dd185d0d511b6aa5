/**
 * The NOC console as the API process serves it over HTTP (issue 14), with plain fetch: the
 * Content-Security-Policy, the SPA fallback, immutable hashed assets, /graphql redirecting
 * browsers to the explorer while API clients keep the API, and built files that reference
 * nothing on another origin. What a browser does with it is test/browser/console.e2e.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MeDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** What Chromium sends when a person opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The only sources a policy that keeps every page on this origin may name. */
const SAME_ORIGIN_SOURCES = new Set(["'self'", "'none'", "'unsafe-inline'", 'data:', 'blob:']);

/** A reference a browser resolves against this origin: a path, a relative name or inline data (not `//host` or `scheme://`). */
const sameOrigin = (ref: string) => /^data:/i.test(ref) || (!/^[a-z][a-z0-9+.-]*:/i.test(ref) && !ref.startsWith('//'));

function policy(header: string | null): Map<string, string[]> {
  expect(header).toBeTruthy();
  return new Map(
    header!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}

describe('console serving', () => {
  let server: TestServer;
  let base: string;
  let indexHtml: string;

  beforeAll(async () => {
    server = await startTestServer();
    base = new URL(server.url).origin;
    const index = path.join(server.config.consoleDir, 'index.html');
    if (!existsSync(index)) throw new Error(`${index} is missing: run npm run build:web first`);
    indexHtml = readFileSync(index, 'utf8');
  });

  /** Every `/assets/...` file index.html loads. */
  const indexAssets = () => [...indexHtml.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);

  it('answers / with index.html, no-cache, a same-origin Content-Security-Policy and nosniff', async () => {
    const res = await fetch(`${base}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html\b/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe(indexHtml);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = policy(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    const otherOrigins = [...csp].flatMap(([name, sources]) => sources.filter((s) => !SAME_ORIGIN_SOURCES.has(s)).map((s) => `${name} ${s}`));
    expect(otherOrigins).toEqual([]);
  });

  it.each(['/incidents/inc_1', '/customers/x', '/explorer'])('answers the console route %s with index.html', async (route) => {
    const res = await fetch(`${base}${route}`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html\b/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toBe(indexHtml);
  });

  it('serves the assets index.html and its stylesheets load as immutable, with their content types', async () => {
    const scripts = indexAssets().filter((a) => a.endsWith('.js'));
    const styles = indexAssets().filter((a) => a.endsWith('.css'));
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    for (const asset of [...scripts, ...styles]) {
      const res = await fetch(`${base}${asset}`);
      expect({ asset, status: res.status, cache: res.headers.get('cache-control') }).toEqual({ asset, status: 200, cache: IMMUTABLE });
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /^(text|application)\/javascript\b/ : /^text\/css\b/);
      expect(await res.text()).toBe(readFileSync(path.join(server.config.consoleDir, asset), 'utf8'));
    }
    // What the built stylesheets load by url() (the explorer's icon font).
    const loaded = builtFiles(server.config.consoleDir, '.css').flatMap((css) => cssUrls(readFileSync(css, 'utf8')).filter((ref) => ref.startsWith('/assets/')));
    for (const asset of new Set(loaded)) {
      const res = await fetch(`${base}${asset}`);
      expect({ asset, status: res.status, cache: res.headers.get('cache-control') }).toEqual({ asset, status: 200, cache: IMMUTABLE });
      if (asset.endsWith('.ttf')) expect(res.headers.get('content-type')).toBe('font/ttf');
      await res.arrayBuffer();
    }
  });

  it('answers a missing asset with a 404, not index.html', async () => {
    const res = await fetch(`${base}/assets/nope.js`);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).not.toBe(indexHtml);
    expect(body).not.toContain('id="root"');
    expect(res.headers.get('cache-control')).not.toBe(IMMUTABLE);
  });

  it('redirects a browser opening /graphql to the explorer', async () => {
    const res = await fetch(`${base}/graphql`, { headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/explorer');
  });

  it('keeps GET /graphql the API for clients asking for JSON or sending a query', async () => {
    const asJson = await fetch(`${base}/graphql`, { headers: { accept: 'application/json' }, redirect: 'manual' });
    const withQuery = await fetch(`${base}/graphql?query=${encodeURIComponent('{ me { role } }')}`, { headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
    for (const res of [asJson, withQuery]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^application\/json\b/);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string; requestId: string } }[] };
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body.errors[0].extensions.requestId).toBe(res.headers.get('x-request-id'));
    }
    // With a key, a GET query runs (Apollo's CSRF prevention asks for a preflight header on GET).
    const authed = await fetch(`${base}/graphql?query=${encodeURIComponent('{ me { role } }')}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${server.adminKey}`, 'apollo-require-preflight': 'true' },
      redirect: 'manual',
    });
    expect(authed.status).toBe(200);
    expect(await authed.json()).toEqual({ data: { me: { role: 'ADMIN' } } });
  });

  it('keeps the ETag of index.html, which browsers revalidate, and puts none on GraphQL answers', async () => {
    const index = await fetch(`${base}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(index.status).toBe(200);
    expect(index.headers.get('etag')).toBeTruthy();
    const auth = { accept: 'application/json', authorization: `Bearer ${server.adminKey}` };
    const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ me { role } }')}`, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
    const post = await fetch(`${base}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { role } }' }) });
    for (const res of [get, post]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { me: { role: 'ADMIN' } } });
      expect(res.headers.get('etag')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('answers POST /graphql as before', async () => {
    expect((await server.http().data(MeDocument)).me.role).toBe('ADMIN');
    const anon = await server.http(null).request(MeDocument);
    expect(anon.status).toBe(401);
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('leaves /healthz and /readyz to the API', async () => {
    const health = await fetch(`${base}/healthz`, { headers: { accept: BROWSER_ACCEPT } });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('content-security-policy')).toBeNull();
    const ready = await fetch(`${base}/readyz`, { headers: { accept: BROWSER_ACCEPT } });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: true });
    expect(ready.headers.get('content-security-policy')).toBeNull();
  });

  it('builds index.html and its stylesheets with same-origin references only', () => {
    expect(indexHtml).not.toMatch(/https?:\/\//i);
    const refs = [...indexHtml.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !sameOrigin(r))).toEqual([]);
    const css = builtFiles(server.config.consoleDir, '.css');
    expect(css.length).toBeGreaterThan(0);
    const offOrigin = css.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/@import\s+(?:url\()?\s*["']?([^"')\s;]+)/gi)].map((m) => m[1]);
      // Also any url() naming a host, in case its quoting escapes cssUrls.
      const hosts = [...text.matchAll(/url\(\s*["']?((?:[a-z][a-z0-9+.-]*:)?\/\/[^"')\s]*)/gi)].map((m) => m[1]);
      return [...cssUrls(text), ...imports, ...hosts].filter((r) => !sameOrigin(r)).map((r) => `${path.basename(file)}: ${r}`);
    });
    expect(offOrigin).toEqual([]);
  });

  it('builds scripts that load nothing from another origin', () => {
    const q = `["'\`]`;
    // The ways a script makes the browser fetch a URL it names; an absolute URL in a message or a clicked link is not one.
    const fetches = [
      new RegExp(`\\b(?:import|fetch|importScripts|Worker|SharedWorker|EventSource|WebSocket|sendBeacon)\\s*\\(\\s*${q}(?:[a-z][a-z0-9+.-]*:)?//[^"'\`]*`, 'gi'),
      new RegExp(`\\b(?:from|import)\\s*${q}(?:[a-z][a-z0-9+.-]*:)?//[^"'\`]*`, 'gi'),
      new RegExp(`\\b(?:src|srcset|poster)\\s*[:=]\\s*${q}(?:https?:)?//[^"'\`]*`, 'gi'),
      new RegExp(`url\\(\\s*(?:${q}|\\\\${q})?(?:https?:)?//[^)]*`, 'gi'),
    ];
    const scripts = builtFiles(server.config.consoleDir, '.js');
    expect(scripts.length).toBeGreaterThan(0);
    const found = scripts.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return fetches.flatMap((re) => [...text.matchAll(re)].map((m) => `${path.basename(file)}: ${m[0].slice(0, 120)}`));
    });
    expect(found).toEqual([]);
  });

  it('explains how to build the console when CONSOLE_DIR is empty', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'lg-console-'));
    try {
      const bare = await startTestServer({ env: { CONSOLE_DIR: empty } });
      const origin = new URL(bare.url).origin;
      for (const route of ['/', '/incidents/inc_1']) {
        const res = await fetch(`${origin}${route}`, { headers: { accept: BROWSER_ACCEPT } });
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain\b/);
        expect(await res.text()).toContain('npm run build:web');
      }
      expect((await bare.http().data(MeDocument)).me.role).toBe('ADMIN');
      await bare.close();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

/** The built files with this extension, under dir (assets included). */
function builtFiles(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The targets of a stylesheet's url() references, quotes removed. */
function cssUrls(css: string): string[] {
  return [...css.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi)].map((m) => m[2].trim());
}
