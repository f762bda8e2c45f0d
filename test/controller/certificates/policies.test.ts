import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  currentCertificateHasExpired,
  currentCertificateNearingExpiry,
  currentCertificateRequestMismatchesSpec,
  firstViolation,
  readinessChain,
  secretCertificateNameAnnotationsMismatch,
  secretDoesNotExist,
  secretIsMissingData,
  secretIssuerAnnotationsMismatch,
  secretPrivateKeyMismatchesSpec,
  secretPublicKeyDiffersFromCurrentCertificateRequest,
  secretPublicKeysDiffer,
  temporaryCertificateChain,
  triggerChain,
  type PolicyInput,
} from '../../../controller/certificates/policies.js';
import { inspectSecret } from '../../../controller/certificates/secret-state.js';
import { certificate, DAY_MS, ec384Key, ecKey, issue, issuerAnnotations, NOW, otherEcKey, request, secret } from './fixtures.js';

const crt = certificate();
const issued = await issue(crt);
const goodSecret = secret({ key: ecKey, certificatePem: issued.certificatePem, annotations: issuerAnnotations(crt) });

/** A Certificate whose Secret and current request are all up to date, with `changes` applied. */
function input(changes: Partial<PolicyInput> = {}): PolicyInput {
  return { certificate: crt, secret: inspectSecret(goodSecret), currentRequest: request(crt, issued.csrPem), now: NOW, ...changes };
}

const withAnnotations = (annotations: Record<string, string>) =>
  inspectSecret(secret({ key: ecKey, certificatePem: issued.certificatePem, annotations }));

test('an up-to-date Certificate violates no chain', () => {
  assert.equal(firstViolation(triggerChain, input()), undefined);
  assert.equal(firstViolation(readinessChain, input()), undefined);
  assert.equal(firstViolation(temporaryCertificateChain, input()), undefined);
});

describe('SecretDoesNotExist', () => {
  test('trigger issuance if Secret is missing', () => {
    assert.deepEqual(secretDoesNotExist(input({ secret: inspectSecret(undefined) })), {
      reason: 'DoesNotExist',
      message: 'Issuing certificate as Secret does not exist',
    });
  });
  test('does not trigger when the Secret exists', () => {
    assert.equal(secretDoesNotExist(input()), undefined);
  });
});

describe('SecretIsMissingData', () => {
  test('trigger issuance if Secret does not contain any data', () => {
    assert.deepEqual(secretIsMissingData(input({ secret: inspectSecret(secret({ data: {} })) })), {
      reason: 'MissingData',
      message: 'Issuing certificate as Secret does not contain any data',
    });
  });
  test('trigger issuance if Secret is missing private key', () => {
    const violation = secretIsMissingData(input({ secret: inspectSecret(secret({ certificatePem: issued.certificatePem })) }));
    assert.deepEqual(violation, { reason: 'MissingData', message: 'Issuing certificate as Secret does not contain a private key' });
  });
  test('trigger issuance if Secret has an empty private key', () => {
    const empty = secret({ data: { 'tls.key': '', 'tls.crt': Buffer.from(issued.certificatePem).toString('base64') } });
    assert.equal(secretIsMissingData(input({ secret: inspectSecret(empty) }))?.message, 'Issuing certificate as Secret does not contain a private key');
  });
  test('trigger issuance if Secret is missing certificate', () => {
    const violation = secretIsMissingData(input({ secret: inspectSecret(secret({ key: ecKey })) }));
    assert.deepEqual(violation, { reason: 'MissingData', message: 'Issuing certificate as Secret does not contain a certificate' });
  });
  test('does not trigger when both entries hold data', () => {
    assert.equal(secretIsMissingData(input()), undefined);
  });
});

describe('SecretPublicKeysDiffer', () => {
  test('trigger issuance if Secret contains corrupt private key and certificate data', () => {
    const corrupt = inspectSecret(secret({ key: 'not a key', certificatePem: 'not a certificate' }));
    const violation = secretPublicKeysDiffer(input({ secret: corrupt }));
    assert.equal(violation?.reason, 'InvalidKeyPair');
    assert.match(violation!.message, /^Issuing certificate as Secret contains invalid private key data: /);
  });
  test('trigger issuance if Secret contains a corrupt certificate', () => {
    const violation = secretPublicKeysDiffer(input({ secret: inspectSecret(secret({ key: ecKey, certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })) }));
    assert.equal(violation?.reason, 'InvalidCertificate');
    assert.match(violation!.message, /^Issuing certificate as Secret contains an invalid certificate: /);
  });
  test('trigger issuance if Secret contains a non-matching key-pair', () => {
    const violation = secretPublicKeysDiffer(input({ secret: inspectSecret(secret({ key: otherEcKey, certificatePem: issued.certificatePem })) }));
    assert.deepEqual(violation, { reason: 'InvalidKeyPair', message: 'Issuing certificate as Secret contains a private key that does not match the certificate' });
  });
  test('does not trigger for a matching key-pair', () => {
    assert.equal(secretPublicKeysDiffer(input()), undefined);
  });
});

describe('SecretIssuerAnnotationsMismatch', () => {
  const annotations = issuerAnnotations(crt);
  test("trigger issuance if Secret has old or incorrect 'issuer name' annotation", () => {
    const violation = secretIssuerAnnotationsMismatch(input({ secret: withAnnotations({ ...annotations, 'cert-manager.io/issuer-name': 'old-ca' }) }));
    assert.deepEqual(violation, { reason: 'IncorrectIssuer', message: 'Issuing certificate as Secret was previously issued by "Issuer.cert-manager.io/old-ca"' });
  });
  test("trigger issuance if Secret has old or incorrect 'issuer kind' annotation", () => {
    const violation = secretIssuerAnnotationsMismatch(input({ secret: withAnnotations({ ...annotations, 'cert-manager.io/issuer-kind': 'ClusterIssuer' }) }));
    assert.equal(violation?.reason, 'IncorrectIssuer');
    assert.match(violation!.message, /"ClusterIssuer\.cert-manager\.io\/ca"/);
  });
  test("trigger issuance if Secret has old or incorrect 'issuer group' annotation", () => {
    const violation = secretIssuerAnnotationsMismatch(input({ secret: withAnnotations({ ...annotations, 'cert-manager.io/issuer-group': 'example.com' }) }));
    assert.equal(violation?.reason, 'IncorrectIssuer');
    assert.match(violation!.message, /"Issuer\.example\.com\/ca"/);
  });
  test('empty kind and group annotations mean the defaults', () => {
    const defaulted = { ...annotations, 'cert-manager.io/issuer-kind': '', 'cert-manager.io/issuer-group': '' };
    assert.equal(secretIssuerAnnotationsMismatch(input({ secret: withAnnotations(defaulted) })), undefined);
  });
  test('a Secret without issuer annotations matches a default Issuer reference', () => {
    assert.equal(secretIssuerAnnotationsMismatch(input({ secret: withAnnotations({}) })), undefined);
  });
  test('a Secret without issuer annotations does not match a ClusterIssuer reference', () => {
    const clusterRef = certificate({ issuerRef: { name: 'ca', kind: 'ClusterIssuer' } });
    const violation = secretIssuerAnnotationsMismatch(input({ certificate: clusterRef, secret: withAnnotations({}) }));
    assert.equal(violation?.reason, 'IncorrectIssuer');
  });
});

describe('SecretCertificateNameAnnotationsMismatch', () => {
  test('trigger issuance if the Secret was issued for another Certificate', () => {
    const violation = secretCertificateNameAnnotationsMismatch(input({ secret: withAnnotations({ 'cert-manager.io/certificate-name': 'other' }) }));
    assert.deepEqual(violation, {
      reason: 'IncorrectCertificate',
      message: 'Secret was issued for "other". If this message is not transient, you might have two conflicting Certificates pointing to the same secret.',
    });
  });
  test('does not trigger without the annotation or with this name', () => {
    assert.equal(secretCertificateNameAnnotationsMismatch(input({ secret: withAnnotations({}) })), undefined);
    assert.equal(secretCertificateNameAnnotationsMismatch(input()), undefined);
  });
});

describe('SecretPrivateKeyMismatchesSpec', () => {
  test('trigger issuance if private key properties do not meet the requested properties', () => {
    const bigger = certificate({ privateKey: { algorithm: 'ECDSA', size: 384 } });
    assert.deepEqual(secretPrivateKeyMismatchesSpec(input({ certificate: bigger })), {
      reason: 'SecretMismatch',
      message: 'Existing private key is not up to date for spec: [spec.privateKey.size]',
    });
  });
  test('trigger issuance if the key algorithm differs (RSA is the default)', () => {
    const rsa = certificate({ privateKey: {} });
    assert.equal(secretPrivateKeyMismatchesSpec(input({ certificate: rsa }))?.message, 'Existing private key is not up to date for spec: [spec.privateKey.algorithm]');
  });
  test('does not trigger when the key fits the spec', () => {
    assert.equal(secretPrivateKeyMismatchesSpec(input()), undefined);
    const p384 = certificate({ privateKey: { algorithm: 'ECDSA', size: 384 } });
    assert.equal(secretPrivateKeyMismatchesSpec(input({ certificate: p384, secret: inspectSecret(secret({ key: ec384Key, certificatePem: issued.certificatePem })) })), undefined);
  });
});

describe('SecretPublicKeyDiffersFromCurrentCertificateRequest', () => {
  test('trigger if the Secret contains a different private key than was used to sign the CSR', async () => {
    const otherCsr = (await issue(crt, otherEcKey)).csrPem;
    assert.deepEqual(secretPublicKeyDiffersFromCurrentCertificateRequest(input({ currentRequest: request(crt, otherCsr) })), {
      reason: 'SecretMismatch',
      message: 'Secret contains a private key that does not match the current CertificateRequest',
    });
  });
  test('an unreadable CSR on the current request is InvalidCertificateRequest', () => {
    const violation = secretPublicKeyDiffersFromCurrentCertificateRequest(input({ currentRequest: request(crt, 'garbage') }));
    assert.equal(violation?.reason, 'InvalidCertificateRequest');
    assert.match(violation!.message, /^Failed to decode current CertificateRequest: /);
  });
  test('does not trigger without a current request or when keys match', () => {
    assert.equal(secretPublicKeyDiffersFromCurrentCertificateRequest(input({ currentRequest: undefined })), undefined);
    assert.equal(secretPublicKeyDiffersFromCurrentCertificateRequest(input()), undefined);
  });
});

describe('CurrentCertificateRequestMismatchesSpec', () => {
  test('trigger issuance when CertificateRequest does not match certificate spec', () => {
    const changed = certificate({ dnsNames: ['web.example.com', 'api.example.com'] });
    assert.deepEqual(currentCertificateRequestMismatchesSpec(input({ certificate: changed })), {
      reason: 'RequestChanged',
      message: 'Fields on existing CertificateRequest resource not up to date: [spec.dnsNames]',
    });
  });
  test('does not trigger when the request matches, or when its CSR cannot be read', () => {
    assert.equal(currentCertificateRequestMismatchesSpec(input()), undefined);
    assert.equal(currentCertificateRequestMismatchesSpec(input({ currentRequest: request(crt, 'garbage') })), undefined);
  });
  test('compare signed x509 certificate in Secret with spec if CertificateRequest does not exist', () => {
    const changed = certificate({ dnsNames: ['web.example.com', 'api.example.com'] });
    assert.deepEqual(currentCertificateRequestMismatchesSpec(input({ certificate: changed, currentRequest: undefined })), {
      reason: 'SecretMismatch',
      message: 'Issuing certificate as Existing issued Secret is not up to date for spec: [spec.dnsNames]',
    });
    assert.equal(currentCertificateRequestMismatchesSpec(input({ currentRequest: undefined })), undefined);
  });
  test('without a request the common name may have moved into the DNS names', () => {
    const moved = certificate({ commonName: undefined, dnsNames: ['web.example.com', 'www.example.com'] });
    assert.equal(currentCertificateRequestMismatchesSpec(input({ certificate: moved, currentRequest: undefined })), undefined);
  });
  test('without a request IP addresses must match exactly', () => {
    const withIp = certificate({ ipAddresses: ['10.0.0.1'] });
    assert.equal(currentCertificateRequestMismatchesSpec(input({ certificate: withIp, currentRequest: undefined }))?.message,
      'Issuing certificate as Existing issued Secret is not up to date for spec: [spec.ipAddresses]');
  });
});

describe('CurrentCertificateNearingExpiry', () => {
  test('trigger renewal if renewalTime is right now', () => {
    const violation = currentCertificateNearingExpiry(input({ renewalTime: NOW }));
    assert.deepEqual(violation, { reason: 'Renewing', message: 'Renewing certificate as renewal was scheduled at 2030-01-01 00:00:00 +0000 UTC' });
  });
  test('trigger renewal if renewalTime is in the past', () => {
    assert.equal(currentCertificateNearingExpiry(input({ renewalTime: NOW - DAY_MS }))?.reason, 'Renewing');
  });
  test('does not trigger renewal if renewal time is in 1 minute', () => {
    assert.equal(currentCertificateNearingExpiry(input({ renewalTime: NOW + 60_000 })), undefined);
  });
  test("does not trigger renewal if the x509 cert has been re-issued, but Certificate's renewal time has not been updated yet", () => {
    // status.renewalTime belongs to the previous certificate; the one in the Secret is fresh.
    const stale = certificate({}, {}, { renewalTime: new Date(NOW - DAY_MS).toISOString() });
    assert.equal(currentCertificateNearingExpiry(input({ certificate: stale })), undefined);
  });
  test('computes the renewal time from the certificate in the Secret when none is given', () => {
    // Issued a day before NOW for 90 days: renewal falls at 2/3 (day 59 from NOW) minus at most 10% of 30 days.
    assert.equal(currentCertificateNearingExpiry(input({ now: NOW + 55 * DAY_MS })), undefined);
    assert.equal(currentCertificateNearingExpiry(input({ now: NOW + 60 * DAY_MS }))?.reason, 'Renewing');
  });
  test('does not trigger renewal if renewal policy is disabled', () => {
    const disabled = certificate({ renewal: { policy: 'Disabled' } });
    assert.equal(currentCertificateNearingExpiry(input({ certificate: disabled, renewalTime: NOW - DAY_MS, now: NOW + 89 * DAY_MS })), undefined);
  });
  test('renews despite unsatisfiable windows, with a WindowError warning', () => {
    const windows = certificate({ renewal: { windows: [{ cron: '0 0 30 2 *', windowDuration: '1h' }] } });
    const violation = currentCertificateNearingExpiry(input({ certificate: windows, now: NOW + 60 * DAY_MS }));
    assert.equal(violation?.reason, 'Renewing');
    assert.equal(violation?.warning?.reason, 'WindowError');
    assert.match(violation!.warning!.message, /^Renewing certificate without satisfying renewal windows: /);
  });
  test('an ARI window that opens after notBefore triggers once it opens', () => {
    const ariWindow = { start: NOW + 10 * DAY_MS, end: NOW + 12 * DAY_MS };
    assert.equal(currentCertificateNearingExpiry(input({ ariWindow, now: NOW + 9 * DAY_MS })), undefined);
    assert.equal(currentCertificateNearingExpiry(input({ ariWindow, now: NOW + 10 * DAY_MS }))?.reason, 'Renewing');
  });
});

describe('CurrentCertificateHasExpired', () => {
  test('the Certificate is not Ready once its certificate expired', () => {
    const notAfter = issued.leaf.notAfter.getTime();
    assert.equal(currentCertificateHasExpired(input({ now: notAfter })), undefined);
    assert.deepEqual(currentCertificateHasExpired(input({ now: notAfter + 1000 })), {
      reason: 'Expired',
      message: `Certificate expired on ${issued.leaf.notAfter.toUTCString().replace('GMT', 'UTC')}`,
    });
    assert.match(currentCertificateHasExpired(input({ now: notAfter + 1000 }))!.message, /^Certificate expired on \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} UTC$/);
  });
});

describe('chains', () => {
  test('the first violation in chain order wins', () => {
    const noSecret = input({ secret: inspectSecret(undefined), renewalTime: NOW - DAY_MS });
    assert.equal(firstViolation(triggerChain, noSecret)?.reason, 'DoesNotExist');
    const wrongIssuerAndDue = input({ secret: withAnnotations({ 'cert-manager.io/issuer-name': 'old' }), renewalTime: NOW - DAY_MS });
    assert.equal(firstViolation(triggerChain, wrongIssuerAndDue)?.reason, 'IncorrectIssuer');
  });
  test('readiness ignores a due renewal but reports expiry; the trigger renews', () => {
    assert.equal(firstViolation(readinessChain, input({ renewalTime: NOW - DAY_MS })), undefined);
    assert.equal(firstViolation(triggerChain, input({ renewalTime: NOW - DAY_MS }))?.reason, 'Renewing');
    assert.equal(firstViolation(readinessChain, input({ now: NOW + 100 * DAY_MS }))?.reason, 'Expired');
  });
  test('the temporary-certificate chain only looks at the key pair', () => {
    const wrongIssuer = input({ secret: withAnnotations({ 'cert-manager.io/issuer-name': 'old' }) });
    assert.equal(firstViolation(temporaryCertificateChain, wrongIssuer), undefined);
    assert.equal(firstViolation(temporaryCertificateChain, input({ secret: inspectSecret(secret({ key: ecKey })) }))?.reason, 'MissingData');
  });
});
