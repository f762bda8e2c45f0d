import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinIssuers, issuerTypeOf, IssuerRegistry } from '../../issuers/registry.js';
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

  it('looks backends up by the issuer spec, for both issuer kinds', () => {
    const registry = builtinIssuers();
    assert.deepEqual(registry.types.sort(), ['ca', 'selfSigned']);
    assert.equal(registry.backendFor(issuer({ selfSigned: {} }))?.type, 'selfSigned');
    assert.equal(registry.backendFor(clusterIssuer({ ca: { secretName: 'ca' } }))?.type, 'ca');
    assert.equal(registry.backendFor(issuer({ vault: { server: 'https://v', path: 'pki/sign/x', auth: {} } } as never)), undefined);
  });

  it('refuses a second backend for the same type', () => {
    const registry = new IssuerRegistry([selfSignedIssuer]);
    assert.throws(() => registry.register({ ...selfSignedIssuer }), /already registered/);
  });
});
