/**
 * The NOC console's files (dist/web, built by `npm run build:web`) at `/`. Every path the
 * API does not own answers with index.html, so the console's own routes (/incidents/...,
 * /customers/..., /explorer) load on refresh. A Content-Security-Policy keeps every page on
 * this origin: a NOC network without internet loses nothing, and an injected script could
 * not send anything elsewhere.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../logger';

/** Paths the API itself answers; everything else under GET is the console's. */
const API_PATHS = /^\/(graphql|healthz|readyz)(\/|$)/;

export function serveConsole(app: Express, consoleDir: string, logger: Logger): void {
  const index = path.join(consoleDir, 'index.html');
  const built = existsSync(index);
  if (!built) logger.warn('console not built: GET / explains how (npm run build:web)', { consoleDir });

  // A browser that opens /graphql gets the explorer; API clients (POST, or GET asking for JSON) are untouched.
  app.get('/graphql', (req, res, next) => {
    if (req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html' && !req.query.query) return res.redirect(302, '/explorer');
    next();
  });

  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The explorer's editor (Monaco) sets styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // NOC networks often serve plain HTTP on a LAN: no HSTS or upgrade from here (a TLS proxy may add them).
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });

  // The console is 87 KB gzipped (293 KB as built) and the explorer 2 MB (6.9 MB): a NOC at the end of a slow link gets it compressed.
  const compress = compression();
  const files = express.static(consoleDir, {
    index: false,
    fallthrough: true,
    // Vite names assets by content hash: they never change under the same name.
    setHeaders: (res, file) => res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });

  /** A file of the console, or index.html for any console route; unknown files under /assets are real 404s. */
  const serve = (req: Request, res: Response, next: () => void) =>
    files(req, res, () => {
      if (req.path.startsWith('/assets/')) return next();
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
    });

  app.use((req: Request, res: Response, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path)) return next();
    headers(req, res, () => {
      if (!built) {
        res.status(404).type('text/plain').send(`The NOC console is not built. Run: npm run build:web (looked in ${consoleDir})\n`);
        return;
      }
      compress(req, res, () => serve(req, res, next));
    });
  });
}
