import type * as asn1js from 'asn1js';
import { childrenOf, contentOf, parseDer } from './der.js';
import { PkiError } from './errors.js';

/** The exact bytes of a parsed element, as they appeared in the input. */
function originalBytes(value: asn1js.AsnType): Buffer {
  return Buffer.from(value.valueBeforeDecodeView);
}

/**
 * Fields that must be taken byte for byte from a certificate rather than re-encoded: subject and
 * issuer (chain building and cert-manager's literal-subject match compare raw DER) and the serial's
 * content octets (ARI CertIDs use them as encoded, leading zero included).
 */
export function certificateRawFields(der: Uint8Array): { serial: Buffer; issuer: Buffer; subject: Buffer } {
  const [tbs] = childrenOf(parseDer(der, 'CERTIFICATE_MALFORMED', 'certificate'), 'CERTIFICATE_MALFORMED', 'certificate');
  const fields = childrenOf(tbs!, 'CERTIFICATE_MALFORMED', 'tbsCertificate');
  // version is an explicit [0] and may be absent (v1 certificates).
  const offset = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const [serial, , issuer, , subject] = fields.slice(offset);
  if (!serial || !issuer || !subject) throw new PkiError('CERTIFICATE_MALFORMED', 'certificate is missing required fields');
  return { serial: contentOf(serial, 'CERTIFICATE_MALFORMED', 'serial number'), issuer: originalBytes(issuer), subject: originalBytes(subject) };
}

export function csrRawSubject(der: Uint8Array): Buffer {
  const [info] = childrenOf(parseDer(der, 'CSR_MALFORMED', 'certificate request'), 'CSR_MALFORMED', 'certificate request');
  const subject = childrenOf(info!, 'CSR_MALFORMED', 'certificationRequestInfo')[1];
  if (!subject) throw new PkiError('CSR_MALFORMED', 'certificate request has no subject');
  return originalBytes(subject);
}
