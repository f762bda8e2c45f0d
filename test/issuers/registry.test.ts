import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinIssuers, issuerTypeOf, IssuerRegistry, lazyIssuerBackend } from '../../issuers/registry.js';
import { selfSignedIssuer } from '../../issuers/selfsigned.js';
import { clusterIssuer, issuer } from './fixtures.js';

describe('issuer registry', () => {
  it('finds the configured issuer type: exactly one IssuerSpec member', () => {
    assert.equal(issuerTypeOf({ selfSigned: {} }), 'selfSigned');
    assert.equal(issuerTypeOf({ ca: { secretName: 's' } }), 'ca');
    assert.equal(issuerTypeOf({}), undefined);
    assert.equal(issuerTypeOf(undefined), undefined);
    assert.equal(issuerTypeOf({ selfSigned: {}, ca: { secretName: 's' } }), undefined);
  });

  it('looks backends up by the issuer spec, for both issuer kinds', async () => {
    const registry = builtinIssuers();
    assert.deepEqual(registry.types.sort(), ['ca', 'selfSigned']);
    assert.equal((await registry.backendFor(issuer({ selfSigned: {} })))?.type, 'selfSigned');
    assert.equal((await registry.backendFor(clusterIssuer({ ca: { secretName: 'ca' } })))?.type, 'ca');
    const vaultIssuer = issuer({ vault: { server: 'https://v', path: 'pki/sign/x', auth: {} } } as never);
    assert.equal(await registry.backendFor(vaultIssuer), undefined);
    assert.equal(registry.handles(vaultIssuer), false);
    assert.equal(registry.handles(issuer({ selfSigned: {} })), true);
  });

  it('makes a lazily registered backend when an issuer of its type is first looked up, once', async () => {
    let made = 0;
    const lazy = lazyIssuerBackend('selfSigned', async () => (made++, selfSignedIssuer));
    const registry = new IssuerRegistry([lazy]);
    assert.deepEqual(registry.types, ['selfSigned']);
    assert.equal(registry.handles(issuer({ selfSigned: {} })), true, 'known without loading');
    assert.equal(await registry.backendFor(issuer({ ca: { secretName: 'ca' } })), undefined);
    assert.equal(made, 0, 'nothing loaded for other types');
    assert.equal(lazy.loaded, undefined);
    const [first, second] = await Promise.all([registry.backendFor(issuer({ selfSigned: {} })), registry.backendFor(clusterIssuer({ selfSigned: {} }))]);
    assert.equal(first, selfSignedIssuer);
    assert.equal(second, selfSignedIssuer);
    assert.equal(made, 1);
    assert.equal(lazy.loaded, selfSignedIssuer);
  });

  it('refuses a lazily loaded backend of another type than it was registered for', async () => {
    const registry = new IssuerRegistry([lazyIssuerBackend('ca', async () => selfSignedIssuer)]);
    await assert.rejects(registry.backendFor(issuer({ ca: { secretName: 'ca' } })), /loaded for issuer type "ca" is for "selfSigned"/);
  });

  it('refuses a second backend for the same type', () => {
    const registry = new IssuerRegistry([selfSignedIssuer]);
    assert.throws(() => registry.register({ ...selfSignedIssuer }), /already registered/);
    assert.throws(() => registry.register(lazyIssuerBackend('selfSigned', async () => selfSignedIssuer)), /already registered/);
  });
});
