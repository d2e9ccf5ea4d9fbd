// The web page's session cookie, CSRF fields and same-origin check (src/runtime/fleet-page-session.ts).

import assert from 'node:assert/strict';
import { PageSessions, parseCookies, SESSION_MS, sameOrigin } from '../../src/runtime/fleet-page-session.js';

const TOKEN = 'fleet-t0ken-5ecret';
const NOW = Date.parse('2026-03-02T09:00:00Z');

describe('fleet page: the session cookie', () => {
  const sessions = new PageSessions(TOKEN);

  it('holds an expiry, the name given at sign-in and a MAC: never the token', () => {
    const value = sessions.issue('Ana', NOW);
    assert.ok(!value.includes(TOKEN));
    assert.ok(!value.includes(Buffer.from(TOKEN).toString('base64url')));
    assert.match(value, /^\d+\.[\w-]+\.[\w-]{43}$/, 'cookie-safe characters only');
    assert.deepEqual(
      { ...sessions.read(value, NOW + 1000), id: 'id' },
      { name: 'Ana', expires: NOW + SESSION_MS, id: 'id' },
    );
  });

  it('is refused once expired, when any part is altered, and under another token', () => {
    const value = sessions.issue('Ana', NOW);
    const [expires, name, mac] = value.split('.') as [string, string, string];
    assert.equal(sessions.read(value, NOW + SESSION_MS), null, 'expired');
    assert.equal(sessions.read(`${Number(expires) + 3_600_000}.${name}.${mac}`, NOW), null, 'longer life');
    assert.equal(
      sessions.read(`${expires}.${Buffer.from('Bob').toString('base64url')}.${mac}`, NOW),
      null,
      'other name',
    );
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(sessions.read(`${expires}.${name}.${flipped}`, NOW), null, 'other MAC');
    assert.equal(sessions.read(`${value}.x`, NOW), null, 'extra part');
    assert.equal(sessions.read('', NOW), null);
    assert.equal(sessions.read(undefined, NOW), null);
    assert.equal(new PageSessions(`${TOKEN}2`).read(value, NOW), null, 'a new token signs everybody out');
    assert.notEqual(new PageSessions(TOKEN).read(value, NOW), null, 'the same token on another replica accepts it');
  });

  it('keeps a printable name of at most 60 characters', () => {
    const read = sessions.read(sessions.issue(`  Ana\u0000\u001b[31m ${'x'.repeat(100)}`, NOW), NOW);
    assert.equal(read?.name, `Ana[31m ${'x'.repeat(52)}`);
  });

  it('compares the token in constant time and exactly', () => {
    assert.equal(sessions.isToken(TOKEN), true);
    for (const wrong of ['', `${TOKEN} `, TOKEN.slice(0, -1), TOKEN.toUpperCase()]) {
      assert.equal(sessions.isToken(wrong), false, wrong);
    }
  });
});

describe('fleet page: CSRF fields', () => {
  const sessions = new PageSessions(TOKEN);
  const ana = sessions.read(sessions.issue('Ana', NOW), NOW);
  const later = sessions.read(sessions.issue('Ana', NOW + 1000), NOW);
  assert.ok(ana && later);

  it('are bound to the session and the action', () => {
    const field = sessions.csrf(ana, 'pause');
    assert.equal(sessions.checkCsrf(ana, 'pause', field), true);
    assert.equal(sessions.checkCsrf(ana, 'trigger', field), false, 'another action');
    assert.equal(sessions.checkCsrf(later, 'pause', field), false, 'another session');
    assert.equal(sessions.checkCsrf(ana, 'pause', undefined), false);
    assert.equal(sessions.checkCsrf(ana, 'pause', ''), false);
    assert.equal(new PageSessions('other').checkCsrf(ana, 'pause', field), false, 'another token');
  });
});

describe('fleet page: same-origin check of form posts', () => {
  const host = '127.0.0.1:8080';

  it('accepts an Origin (or, without one, a Referer) naming the host the request was sent to', () => {
    assert.equal(sameOrigin({ host, origin: 'http://127.0.0.1:8080' }), true);
    assert.equal(sameOrigin({ host, referer: 'http://127.0.0.1:8080/jobs?x=1' }), true);
    assert.equal(sameOrigin({ host: 'ops.example', origin: 'https://ops.example' }), true, 'TLS ended by a proxy');
    assert.equal(sameOrigin({ host: 'ops.example:443', origin: 'https://ops.example' }), true, 'default port');
  });

  it('refuses another port, another host, Origin: null, no header at all, and other schemes', () => {
    assert.equal(sameOrigin({ host, origin: 'http://127.0.0.1:9090' }), false);
    assert.equal(sameOrigin({ host, origin: 'http://evil.example' }), false);
    assert.equal(sameOrigin({ host, origin: 'null', referer: 'http://127.0.0.1:8080/jobs' }), false);
    assert.equal(sameOrigin({ host, origin: 'http://evil.example', referer: 'http://127.0.0.1:8080/' }), false);
    assert.equal(sameOrigin({ host }), false);
    assert.equal(sameOrigin({ origin: 'http://127.0.0.1:8080' }), false, 'no Host');
    assert.equal(sameOrigin({ host, referer: 'file:///tmp/x.html' }), false);
    assert.equal(sameOrigin({ host, origin: 'not a url' }), false);
  });
});

describe('fleet page: cookies', () => {
  it('reads a Cookie header by name; the first of a repeated name wins', () => {
    const cookies = parseCookies('a=1; tickwise_session=abc.def; a=2;junk; =x');
    assert.equal(cookies.get('a'), '1');
    assert.equal(cookies.get('tickwise_session'), 'abc.def');
    assert.equal(cookies.size, 2);
    assert.equal(parseCookies(undefined).size, 0);
  });
});
