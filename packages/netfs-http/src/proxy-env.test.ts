import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemoteError } from './errors.ts';
import { noProxyMatches, parseProxy, proxyFromEnv, ProxyRouter } from './proxy-env.ts';

test('proxyFromEnv: http_proxy only in lower case; the others in either, lower case first', () => {
  assert.deepEqual(proxyFromEnv({ HTTP_PROXY: 'http://up:1' }), {});
  assert.deepEqual(proxyFromEnv({ http_proxy: 'http://low:1' }), { http: 'http://low:1' });
  assert.deepEqual(proxyFromEnv({ HTTPS_PROXY: 'http://up:2' }), { https: 'http://up:2' });
  assert.deepEqual(proxyFromEnv({ HTTPS_PROXY: 'http://up:2', https_proxy: 'http://low:2' }), {
    https: 'http://low:2',
  });
  assert.deepEqual(proxyFromEnv({ NO_PROXY: 'a', no_proxy: 'b' }), { noProxy: 'b' });
  assert.deepEqual(proxyFromEnv({ NO_PROXY: 'a' }), { noProxy: 'a' });
});

test('proxyFromEnv: ALL_PROXY stands in for a scheme without its own; empty values are unset', () => {
  assert.deepEqual(proxyFromEnv({ ALL_PROXY: 'http://all:3' }), {
    http: 'http://all:3',
    https: 'http://all:3',
  });
  assert.deepEqual(proxyFromEnv({ all_proxy: 'http://all:3', https_proxy: 'http://s:4' }), {
    http: 'http://all:3',
    https: 'http://s:4',
  });
  assert.deepEqual(proxyFromEnv({ https_proxy: '', HTTPS_PROXY: 'http://s:4', no_proxy: '' }), {
    https: 'http://s:4',
  });
});

test('parseProxy: a bare host:port is http; curl’s port 1080 by default; credentials become Basic', () => {
  assert.deepEqual(parseProxy('proxy.example:3128', 'http://x/'), {
    host: 'proxy.example',
    port: 3128,
    href: 'http://proxy.example:3128/',
    authorization: undefined,
  });
  assert.equal(parseProxy('http://proxy.example', 'http://x/').port, 1080);
  const p = parseProxy('http://us%40er:p%3Ass@proxy.example:8080', 'http://x/');
  assert.equal(p.authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  assert.equal(p.href, 'http://proxy.example:8080/'); // no credentials in what may be printed
  assert.equal(parseProxy('http://[::1]:3128', 'http://x/').host, '::1');
});

test('parseProxy: other schemes and garbage are refused, without showing the password', () => {
  for (const bad of ['socks5://h:1', 'https://h:1', 'http://', 'http://us:secret@:1']) {
    assert.throws(
      () => parseProxy(bad, 'http://x/'),
      (err: unknown) =>
        err instanceof RemoteError && err.code === 'ERR_NETFS_PROXY_URL' && !err.message.includes('secret'),
      bad,
    );
  }
});

const u = (s: string) => new URL(s);

test('NO_PROXY: host names cover themselves and their subdomains, with or without a leading dot', () => {
  for (const list of ['example.com', '.example.com', 'EXAMPLE.com.']) {
    assert.ok(noProxyMatches(list, u('http://example.com/')), list);
    assert.ok(noProxyMatches(list, u('http://www.Example.com/')), list);
    assert.ok(!noProxyMatches(list, u('http://badexample.com/')), list);
    assert.ok(!noProxyMatches(list, u('http://example.com.evil/')), list);
  }
  assert.ok(noProxyMatches('other, example.com', u('https://a.example.com/')));
  assert.ok(noProxyMatches('other example.com', u('https://a.example.com/')));
  assert.ok(!noProxyMatches('', u('http://example.com/')));
  assert.ok(!noProxyMatches(' , ,', u('http://example.com/')));
});

test('NO_PROXY: * covers every host, alone or in a list', () => {
  assert.ok(noProxyMatches('*', u('http://anything/')));
  assert.ok(noProxyMatches('a.b, *', u('https://10.0.0.1/')));
});

test('NO_PROXY: IP addresses and CIDR blocks match IP hosts only, never by name', () => {
  assert.ok(noProxyMatches('127.0.0.1', u('http://127.0.0.1:8080/')));
  assert.ok(!noProxyMatches('127.0.0.1', u('http://localhost/')));
  assert.ok(noProxyMatches('10.0.0.0/8', u('http://10.20.30.40/')));
  assert.ok(!noProxyMatches('10.0.0.0/8', u('http://11.0.0.1/')));
  assert.ok(noProxyMatches('::1', u('http://[::1]/')));
  assert.ok(noProxyMatches('[::1]', u('http://[::1]/')));
  assert.ok(noProxyMatches('fd00::/8', u('http://[fd12::5]/')));
  assert.ok(!noProxyMatches('10.0.0.0/99', u('http://10.0.0.1/'))); // a bad block matches nothing
});

test('NO_PROXY: host:port covers that port only (the scheme’s default when the URL has none)', () => {
  assert.ok(noProxyMatches('example.com:8080', u('http://example.com:8080/')));
  assert.ok(!noProxyMatches('example.com:8080', u('http://example.com/')));
  assert.ok(noProxyMatches('example.com:443', u('https://example.com/')));
  assert.ok(noProxyMatches('127.0.0.1:80', u('http://127.0.0.1/')));
  assert.ok(noProxyMatches('[::1]:8443', u('https://[::1]:8443/')));
  assert.ok(!noProxyMatches('[::1]:8443', u('https://[::1]/')));
});

test('ProxyRouter: the scheme picks the proxy; NO_PROXY wins; a bad setting fails only when used', () => {
  const r = new ProxyRouter({ http: 'h:1', https: 'socks5://s:2', noProxy: 'direct.example' });
  assert.equal(r.proxyFor(u('http://a/'))?.href, 'http://h:1/');
  assert.equal(r.proxyFor(u('http://direct.example/')), null);
  assert.equal(r.proxyFor(u('https://direct.example/')), null);
  assert.throws(() => r.proxyFor(u('https://a/')), { code: 'ERR_NETFS_PROXY_URL' });
  assert.equal(new ProxyRouter({}).proxyFor(u('https://a/')), null);
});
