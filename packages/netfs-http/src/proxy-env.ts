/**
 * Which proxy a request goes through, decided from the environment the way curl decides it:
 * `http_proxy` (lower case only: an `HTTP_PROXY` header of a CGI request would otherwise pick the
 * proxy) for http: URLs, `https_proxy` or `HTTPS_PROXY` for https: URLs, `all_proxy` or
 * `ALL_PROXY` when the scheme has none, and `no_proxy` or `NO_PROXY` for the hosts reached
 * directly. The lower-case name wins when both are set; an empty value counts as unset.
 */
import { Buffer } from 'node:buffer';
import { BlockList, isIP } from 'node:net';
import { URL } from 'node:url';
import { RemoteError } from './errors.ts';

/** Proxy settings in the variables' own syntax; absent fields mean "no proxy". */
export interface ProxySettings {
  /** The proxy for http: URLs: `http://[user:pass@]host[:port]`, or just `host[:port]`. */
  http?: string;
  /** The proxy for https: URLs (reached over plain HTTP, then a CONNECT tunnel). */
  https?: string;
  /** Hosts reached without a proxy, comma- or space-separated (see `noProxyMatches`). */
  noProxy?: string;
}

/** A proxy ready to be used: where it is and what to tell it. */
export interface Proxy {
  host: string;
  port: number;
  /** `http://host:port/`, credentials left out: safe to print. */
  href: string;
  /** The `Proxy-Authorization` value, when the setting carried credentials. */
  authorization: string | undefined;
}

/** curl's port for a proxy URL without one. */
export const DEFAULT_PROXY_PORT = 1080;

/** The proxy settings curl would take from `env`. */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const all = pick('all_proxy', 'ALL_PROXY');
  const http = pick('http_proxy') ?? all;
  const https = pick('https_proxy', 'HTTPS_PROXY') ?? all;
  const noProxy = pick('no_proxy', 'NO_PROXY');
  return {
    ...(http !== undefined ? { http } : {}),
    ...(https !== undefined ? { https } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
  };
}

/** Parses a proxy setting; throws ERR_NETFS_PROXY_URL (naming `forUrl`) when it cannot be used. */
export function parseProxy(setting: string, forUrl: string): Proxy {
  const refuse = (why: string) =>
    new RemoteError('ERR_NETFS_PROXY_URL', forUrl, `proxy setting ${JSON.stringify(redact(setting))} ${why}`);
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(setting) ? setting : `http://${setting}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw refuse('is not a URL');
  }
  if (u.protocol !== 'http:') throw refuse(`uses ${u.protocol}//; only http:// proxies are supported`);
  if (u.hostname === '') throw refuse('has no host');
  const port = u.port === '' ? DEFAULT_PROXY_PORT : Number(u.port);
  const user = decodeURIComponent(u.username);
  const authorization =
    u.username === '' && u.password === ''
      ? undefined
      : `Basic ${Buffer.from(`${user}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, href: `http://${u.hostname}:${port}/`, authorization };
}

// The setting with any password hidden, for messages.
function redact(setting: string): string {
  return setting.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

/**
 * Does the NO_PROXY list name the host of `url`? Entries: `*` (every host); a host name, which
 * also covers its subdomains, with or without a leading dot (`example.com` and `.example.com`
 * both cover `example.com` and `www.example.com`, not `badexample.com`); an IP address or a
 * CIDR block (`10.0.0.0/8`, `::1`), compared with IP hosts only, never resolved; any of these
 * with `:port` (IPv6 in brackets) to cover that port only. Case does not matter.
 */
export function noProxyMatches(list: string, url: URL): boolean {
  const host = url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  const ipType = isIP(host);
  for (const raw of list.toLowerCase().split(/[\s,]+/)) {
    if (raw === '') continue;
    if (raw === '*') return true;
    const entry = splitPort(raw);
    if (entry.port !== undefined && entry.port !== port) continue;
    const [addr, bits] = entry.name.split('/', 2) as [string, string | undefined];
    const entryType = isIP(addr);
    if (entryType !== 0) {
      if (ipType === 0) continue;
      const block = new BlockList();
      const family = entryType === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) block.addAddress(addr, family);
      else if (/^\d+$/.test(bits) && Number(bits) <= (entryType === 4 ? 32 : 128))
        block.addSubnet(addr, Number(bits), family);
      else continue;
      if (block.check(host, ipType === 4 ? 'ipv4' : 'ipv6')) return true;
      continue;
    }
    const name = entry.name.replace(/^\./, '').replace(/\.$/, '');
    if (name !== '' && (host === name || host.endsWith(`.${name}`))) return true;
  }
  return false;
}

// `host:port`, `[v6]:port`, `[v6]`, or a bare host or address (an IPv6 one has several colons).
function splitPort(entry: string): { name: string; port: string | undefined } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) return { name: bracket[1]!, port: bracket[2] };
  const hostPort = /^([^:]+):(\d+)$/.exec(entry);
  if (hostPort) return { name: hostPort[1]!, port: hostPort[2] };
  return { name: entry, port: undefined };
}

/** Chooses, per URL, the proxy of `settings` or none; a setting is parsed once. */
export class ProxyRouter {
  readonly #settings: ProxySettings;
  readonly #parsed = new Map<string, Proxy>();

  constructor(settings: ProxySettings) {
    this.#settings = settings;
  }

  /** The proxy for `url`, or null to go straight to its server. */
  proxyFor(url: URL): Proxy | null {
    const setting = url.protocol === 'https:' ? this.#settings.https : this.#settings.http;
    if (setting === undefined || setting === '') return null;
    if (this.#settings.noProxy !== undefined && noProxyMatches(this.#settings.noProxy, url)) return null;
    let proxy = this.#parsed.get(setting);
    if (!proxy) {
      proxy = parseProxy(setting, url.href);
      this.#parsed.set(setting, proxy);
    }
    return proxy;
  }
}
