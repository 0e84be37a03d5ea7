/**
 * Who may talk to an emulator over HTTP. The emulators have no real authentication (`Bearer owner`
 * and the GCS JSON API are admin), so the one thing between a web page the developer happens to
 * visit and the local data is the browser's same-origin policy, which two things would defeat:
 *
 * - CORS granted to any origin. Only loopback origins (http(s)://localhost, *.localhost,
 *   127.0.0.0/8, [::1], any port) and configured extras get CORS headers. Any request that carries
 *   another Origin is refused with 403, not just its preflight: a form POST or a `no-cors` fetch
 *   is sent without a preflight and would otherwise still reset, export or upload.
 * - DNS rebinding: attacker.example resolves to the attacker's server, then to 127.0.0.1, and the
 *   browser treats our port as attacker.example, same origin, no CORS involved. Only the Host header
 *   still shows the name the page used, so it must be a loopback name, the host the emulator
 *   listens on (every interface address when that is 0.0.0.0 or ::) or a configured extra host.
 *
 * `*.localhost` counts as loopback: such names never reach DNS (RFC 6761 §6.3; browsers resolve them
 * to loopback themselves), so nobody can rebind them. Requests without Origin (SDKs in Node, curl)
 * or without Host (HTTP/1.0) pass: browsers always send Host, and send Origin when cross-origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface AccessOptions {
  /** Extra origins whose pages may call the emulator, e.g. `https://app.example.test` (`null` for file: pages). */
  allowedOrigins?: readonly string[] | undefined;
  /** Extra names or addresses clients may use in the Host header, e.g. a Docker service name. */
  allowedHosts?: readonly string[] | undefined;
}

/** Comma-separated lists read by the `offline-emulators` command beside its flags. */
export const ORIGINS_ENV = 'EMULATOR_ALLOWED_ORIGINS';
export const HOSTS_ENV = 'EMULATOR_ALLOWED_HOSTS';

export class AccessConfigError extends Error {}

/** Why a request was refused: a one-line text for a 403 reply. */
export type Refusal = string;

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);

export class AccessPolicy {
  private readonly origins = new Set<string>();
  private readonly hosts = new Set<string>();
  private readonly anyInterface: boolean;
  private interfaces = new Set<string>();

  constructor(listenHost: string, opts: AccessOptions = {}) {
    for (const o of opts.allowedOrigins ?? []) this.origins.add(normalizeOrigin(o));
    for (const h of opts.allowedHosts ?? []) {
      const name = canonicalHost(isIPv6(h) ? `[${h}]` : h);
      if (!name) throw new AccessConfigError(`Invalid allowed host "${h}": expected a name or address.`);
      this.hosts.add(name);
    }
    this.anyInterface = WILDCARD_HOSTS.has(listenHost);
    if (!this.anyInterface) {
      const own = canonicalHost(isIPv6(listenHost) ? `[${listenHost}]` : listenHost);
      if (own) this.hosts.add(own);
    } else {
      this.interfaces = interfaceAddresses();
    }
  }

  /** `undefined` when the request may proceed. */
  check(host: string | undefined, origin: string | undefined): Refusal | undefined {
    if (host !== undefined && !this.hostAllowed(host)) {
      return (
        `Refused: Host ${quote(host)} is not a loopback address or an allowed host of this emulator ` +
        '(protection against DNS rebinding). To allow it, start the emulator with ' +
        `--allow-host <name> or ${HOSTS_ENV}=<name>.`
      );
    }
    if (origin !== undefined && !this.originAllowed(origin)) {
      return (
        `Refused: pages from origin ${quote(origin)} may not call this emulator (only loopback origins ` +
        'may). To allow it, start the emulator with --allow-origin <origin> or ' +
        `${ORIGINS_ENV}=<origin>.`
      );
    }
    return undefined;
  }

  originAllowed(origin: string): boolean {
    if (this.origins.has(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    // A serialized origin has no path, credentials or trailing slash; anything else is not one.
    if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
    return isLoopbackName(url.hostname);
  }

  hostAllowed(hostHeader: string): boolean {
    const name = canonicalHost(hostHeader);
    if (name === undefined) return false;
    if (isLoopbackName(name) || this.hosts.has(name)) return true;
    if (!this.anyInterface) return false;
    // Addresses change (DHCP, VPN, Wi-Fi), so a miss re-reads them; hits never pay for it.
    if (!this.interfaces.has(name)) this.interfaces = interfaceAddresses();
    return this.interfaces.has(name);
  }
}

/** Answers 403 with the reason unless `policy` admits the request; true when it may proceed. */
export function admitHttp(policy: AccessPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const refusal = policy.check(req.headers.host, req.headers.origin);
  if (refusal === undefined) return true;
  res.writeHead(403, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    // The refused body, if any, is never read.
    connection: 'close',
  });
  res.end(`${refusal}\n`);
  return false;
}

/** Splits repeated and comma-separated values (`--allow-origin a,b --allow-origin c`). */
export function splitList(values: readonly (string | undefined)[]): string[] {
  return values.flatMap((v) => (v ?? '').split(',').map((s) => s.trim())).filter((s) => s !== '');
}

function normalizeOrigin(value: string): string {
  if (value === 'null') return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const path = url?.pathname;
  if (!url || url.origin === 'null' || (path !== '/' && path !== '') || url.search || url.hash) {
    throw new AccessConfigError(
      `Invalid allowed origin "${value}": expected scheme://host[:port], e.g. https://app.example.test.`,
    );
  }
  return url.origin;
}

/** The host part of a Host header in the form a browser would send it, or undefined if malformed. */
function canonicalHost(hostHeader: string): string | undefined {
  // Restricting the characters first keeps the URL parser from reading `a@b`, `a/b` or `a?b` as
  // something else than a host.
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d{1,5})?$/i.exec(hostHeader.trim());
  if (!m) return undefined;
  try {
    return new URL(`http://${m[1]}/`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

function interfaceAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const name = canonicalHost(a.family === 'IPv6' ? `[${a.address.replace(/%.*$/, '')}]` : a.address);
      if (name) out.add(name);
    }
  }
  return out;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
