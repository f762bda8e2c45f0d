/**
 * The label, annotation and data keys cert-manager defines (`pkg/apis/certmanager/v1/types.go`) and
 * writes on Secrets and CertificateRequests. certwright uses the same keys so tools built for
 * cert-manager keep working.
 */
/** Label on every Secret certwright manages; the controller caches only Secrets carrying it. */
export const PART_OF_CONTROLLER_LABEL = 'controller.cert-manager.io/fao';
/** Label of the Secret that holds the private key of the next issuance. */
export const NEXT_PRIVATE_KEY_LABEL = 'cert-manager.io/next-private-key';

export const CERTIFICATE_NAME_ANNOTATION = 'cert-manager.io/certificate-name';
export const ISSUER_NAME_ANNOTATION = 'cert-manager.io/issuer-name';
export const ISSUER_KIND_ANNOTATION = 'cert-manager.io/issuer-kind';
export const ISSUER_GROUP_ANNOTATION = 'cert-manager.io/issuer-group';
export const COMMON_NAME_ANNOTATION = 'cert-manager.io/common-name';
export const ALT_NAMES_ANNOTATION = 'cert-manager.io/alt-names';
export const IP_SANS_ANNOTATION = 'cert-manager.io/ip-sans';
export const URI_SANS_ANNOTATION = 'cert-manager.io/uri-sans';
export const EMAIL_SANS_ANNOTATION = 'cert-manager.io/email-sans';
export const SUBJECT_ORGANIZATIONS_ANNOTATION = 'cert-manager.io/subject-organizations';
export const SUBJECT_ORGANIZATIONAL_UNITS_ANNOTATION = 'cert-manager.io/subject-organizationalunits';
export const SUBJECT_COUNTRIES_ANNOTATION = 'cert-manager.io/subject-countries';
export const SUBJECT_PROVINCES_ANNOTATION = 'cert-manager.io/subject-provinces';
export const SUBJECT_LOCALITIES_ANNOTATION = 'cert-manager.io/subject-localities';
export const SUBJECT_POSTAL_CODES_ANNOTATION = 'cert-manager.io/subject-postalcodes';
export const SUBJECT_STREET_ADDRESSES_ANNOTATION = 'cert-manager.io/subject-streetaddresses';
export const SUBJECT_SERIAL_NUMBER_ANNOTATION = 'cert-manager.io/subject-serialnumber';

export const REVISION_ANNOTATION = 'cert-manager.io/certificate-revision';
export const PRIVATE_KEY_SECRET_NAME_ANNOTATION = 'cert-manager.io/private-key-secret-name';
/** On a Certificate: write a throw-away certificate into the Secret while the real one is pending. */
export const ISSUE_TEMPORARY_CERTIFICATE_ANNOTATION = 'cert-manager.io/issue-temporary-certificate';

export const TLS_PRIVATE_KEY_KEY = 'tls.key';
export const TLS_CERTIFICATE_KEY = 'tls.crt';
export const TLS_CA_KEY = 'ca.crt';
export const DER_PRIVATE_KEY_KEY = 'key.der';
export const COMBINED_PEM_KEY = 'tls-combined.pem';
export const PKCS12_KEYSTORE_KEY = 'keystore.p12';
export const PKCS12_TRUSTSTORE_KEY = 'truststore.p12';
export const JKS_KEYSTORE_KEY = 'keystore.jks';
export const JKS_TRUSTSTORE_KEY = 'truststore.jks';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
export const CERTIFICATE_API_VERSION = 'cert-manager.io/v1';
