/**
 * Real outbound endpoints for notification tests: an SMTP server (smtp-server) that
 * keeps every message it accepts, and an HTTP receiver whose answers a test scripts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { disposeLater } from './disposal';
import { Changes } from './waits';

export interface ReceivedMail {
  from: string;
  rcptTo: string[];
  headers: Record<string, string>;
  subject: string;
  /** The (first) HTML part, transfer-decoded. */
  html: string;
  raw: string;
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=[\t \r]*\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

function decodeBody(encoding: string | undefined, body: string): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body, 'base64').toString('utf8');
    default:
      return body;
  }
}

/** The decoded text/html content of an entity, looking into multipart bodies. */
function findHtml(entity: { headers: Record<string, string>; body: string }): string | undefined {
  const type = entity.headers['content-type'] ?? 'text/plain';
  if (/^text\/html/i.test(type)) return decodeBody(entity.headers['content-transfer-encoding'], entity.body);
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary) return undefined;
  for (const part of entity.body.split(`--${boundary}`).slice(1)) {
    const html = findHtml(splitEntity(part.replace(/^\r?\n/, '')));
    if (html !== undefined) return html;
  }
  return undefined;
}

/** Just enough MIME for nodemailer's output: top-level headers and the text/html content. */
export function parseMail(raw: string, from: string, rcptTo: string[]): ReceivedMail {
  const entity = splitEntity(raw);
  return { from, rcptTo, headers: entity.headers, subject: entity.headers.subject ?? '', html: (findHtml(entity) ?? '').trim(), raw };
}

/** Closed for the test by test/helpers/disposal.ts unless the test closes it first. */
export interface MailCatcher {
  url: string;
  messages: ReceivedMail[];
  /** Resolves once check() holds, tested on every accepted message (fails after timeoutMs). */
  until(check: (messages: ReceivedMail[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const messages: ReceivedMail[] = [];
  const changes = new Changes();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), mailFrom ? mailFrom.address : '', session.envelope.rcptTo.map((r) => r.address)));
        changes.changed();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    until: (check, timeoutMs = 10_000, what = 'mail') => changes.until(() => check(messages), timeoutMs, () => `${what} (${messages.length} messages arrived)`),
    close: disposeLater(() => new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Closed for the test by test/helpers/disposal.ts unless the test closes it first. */
export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Resolves once check() holds, tested on every request received (fails after timeoutMs). */
  until(check: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Answer for a path: status code per call (the last one repeats). */
  script(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, number[]>();
  const changes = new Changes();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      changes.changed();
      const statuses = scripts.get(path) ?? [200];
      const status = statuses.length > 1 ? statuses.shift()! : statuses[0];
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
      res.end(status >= 400 ? 'receiver says no' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (path, statuses) => scripts.set(path, [...statuses]),
    until: (check, timeoutMs = 10_000, what = 'requests') => changes.until(() => check(requests), timeoutMs, () => `${what} (${requests.length} requests arrived)`),
    close: disposeLater(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  };
}
