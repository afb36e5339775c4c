import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RemoteUrlError } from './errors.ts';
import { MAX_URL_LENGTH, parseRemoteUrl } from './remote-url.ts';

/** Asserts that parsing `input` throws ERR_NETFS_URL with a message matching `pattern`. */
function refuses(input: string, pattern: RegExp): void {
  assert.throws(
    () => parseRemoteUrl(input),
    (err: unknown) =>
      err instanceof RemoteUrlError && err.code === 'ERR_NETFS_URL' && pattern.test(err.message),
  );
}

test('normalises scheme and host case, drops the default port and the fragment', () => {
  const r = parseRemoteUrl('HTTP://Example.COM:80/a/B?x=1#frag');
  assert.equal(r.url.href, 'http://example.com/a/B?x=1');
  assert.equal(r.origin, 'http://example.com:80');
  assert.equal(r.key, '/a/B?x=1');
  const s = parseRemoteUrl('https://example.com:443');
  assert.equal(s.url.href, 'https://example.com/');
  assert.equal(s.origin, 'https://example.com:443');
  assert.equal(s.key, '/');
});

test('keeps a non-default port, IPv6 hosts and encoded paths in the keys', () => {
  assert.equal(parseRemoteUrl('http://127.0.0.1:8080/f').origin, 'http://127.0.0.1:8080');
  assert.equal(parseRemoteUrl('https://[::1]/f').origin, 'https://[::1]:443');
  assert.equal(parseRemoteUrl('http://h/a b/é').key, '/a%20b/%C3%A9');
  // Same resource written two ways gives one key; different queries give different keys.
  assert.equal(parseRemoteUrl('http://h/./a/../b').key, parseRemoteUrl('http://H:80/b').key);
  assert.notEqual(parseRemoteUrl('http://h/b?1').key, parseRemoteUrl('http://h/b?2').key);
});

test('accepts a URL object', () => {
  assert.equal(parseRemoteUrl(new URL('http://h/x#y')).url.href, 'http://h/x');
});

test('refuses other schemes, missing hosts, credentials, garbage and huge input with clear messages', () => {
  refuses('ftp://example.com/f', /scheme "ftp:" is not supported/);
  refuses('file:///etc/passwd', /scheme "file:"/);
  refuses('javascript:alert(1)', /scheme "javascript:"/);
  refuses('http://', /not an absolute URL/);
  refuses('/relative/path', /not an absolute URL/);
  refuses('', /empty/);
  refuses('   ', /empty/);
  refuses('http://user:secret@example.com/f', /credentials/);
  refuses('http://user@example.com/f', /credentials/);
  refuses('http://exa mple.com/', /not an absolute URL/);
  refuses(`http://h/${'a'.repeat(MAX_URL_LENGTH)}`, /limit is 8192/);
  // Non-ASCII grows threefold when percent-encoded: the bound applies after normalisation too.
  refuses(`http://h/${'é'.repeat(3000)}`, /once encoded/);
  assert.throws(() => parseRemoteUrl(42 as unknown as string), RemoteUrlError);
});

test('a refused URL never echoes its password', () => {
  try {
    parseRemoteUrl('http://user:hunter2@exa mple.com/');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof RemoteUrlError);
    assert.doesNotMatch(err.message, /hunter2/);
  }
});

/** Strings that look like URLs often enough to reach every branch. */
const urlish = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.webUrl({ withFragments: true, withQueryParameters: true }),
  fc
    .tuple(
      fc.constantFrom('http://', 'HTTPS://', 'ftp://', 'http:', 'https:///', ''),
      fc.constantFrom('', 'user:pw@', '@', ':@'),
      fc.constantFrom('Host.Example', '127.0.0.1', '[::1]', '', 'ex ample', 'xn--nxasmq6b', 'é.test'),
      fc.constantFrom('', ':80', ':443', ':8080', ':99999', ':'),
      fc.string({ unit: 'binary', maxLength: 24 }),
    )
    .map((parts) => parts.join('')),
);

test('property: any string parses to keys that survive re-serialisation, or throws RemoteUrlError', () => {
  fc.assert(
    fc.property(urlish, (input) => {
      let r;
      try {
        r = parseRemoteUrl(input);
      } catch (err) {
        assert.ok(err instanceof RemoteUrlError, `unexpected ${String(err)} for ${JSON.stringify(input)}`);
        assert.equal(err.code, 'ERR_NETFS_URL');
        return;
      }
      const again = parseRemoteUrl(r.url.href);
      assert.equal(again.url.href, r.url.href);
      assert.equal(again.origin, r.origin);
      assert.equal(again.key, r.key);
      assert.match(r.origin, /^https?:\/\/[^/]+:\d+$/);
      assert.ok(r.key.startsWith('/'));
    }),
    { numRuns: 2000 },
  );
});
