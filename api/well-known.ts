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

/* Annotations the ingress-shim and gateway-shim read on Ingresses and Gateways (reference §4). */
export const ISSUER_ANNOTATION = 'cert-manager.io/issuer';
export const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';
export const DURATION_ANNOTATION = 'cert-manager.io/duration';
export const RENEW_BEFORE_ANNOTATION = 'cert-manager.io/renew-before';
export const RENEW_BEFORE_PERCENTAGE_ANNOTATION = 'cert-manager.io/renew-before-percentage';
export const USAGES_ANNOTATION = 'cert-manager.io/usages';
export const REVISION_HISTORY_LIMIT_ANNOTATION = 'cert-manager.io/revision-history-limit';
export const PRIVATE_KEY_ALGORITHM_ANNOTATION = 'cert-manager.io/private-key-algorithm';
export const PRIVATE_KEY_ENCODING_ANNOTATION = 'cert-manager.io/private-key-encoding';
export const PRIVATE_KEY_SIZE_ANNOTATION = 'cert-manager.io/private-key-size';
export const PRIVATE_KEY_ROTATION_POLICY_ANNOTATION = 'cert-manager.io/private-key-rotation-policy';
export const SECRET_TEMPLATE_ANNOTATION = 'cert-manager.io/secret-template';
export const IGNORE_TLS_LISTENERS_ANNOTATION = 'cert-manager.io/ignore-tls-listeners';
/** The default of `--auto-certificate-annotations`. */
export const TLS_ACME_ANNOTATION = 'kubernetes.io/tls-acme';
export const HTTP01_EDIT_IN_PLACE_ANNOTATION = 'acme.cert-manager.io/http01-edit-in-place';
export const HTTP01_INGRESS_CLASS_ANNOTATION = 'acme.cert-manager.io/http01-ingress-class';
export const HTTP01_INGRESS_INGRESSCLASSNAME_ANNOTATION = 'acme.cert-manager.io/http01-ingress-ingressclassname';
/* Solver overrides the shims write on the Certificates they make (reference §4.3). */
export const HTTP01_OVERRIDE_INGRESS_NAME_ANNOTATION = 'acme.cert-manager.io/http01-override-ingress-name';
export const HTTP01_OVERRIDE_INGRESS_CLASS_ANNOTATION = 'acme.cert-manager.io/http01-override-ingress-class';
export const HTTP01_OVERRIDE_INGRESS_INGRESSCLASSNAME_ANNOTATION = 'acme.cert-manager.io/http01-override-ingress-ingressclassname';
export const HTTP01_PARENT_REF_NAME_ANNOTATION = 'acme.cert-manager.io/http01-parentrefname';
export const HTTP01_PARENT_REF_KIND_ANNOTATION = 'acme.cert-manager.io/http01-parentrefkind';

/* CA injection (reference §6.3): on webhook configurations, APIServices and CRDs, and on source Secrets. */
export const INJECT_CA_FROM_ANNOTATION = 'cert-manager.io/inject-ca-from';
export const INJECT_CA_FROM_SECRET_ANNOTATION = 'cert-manager.io/inject-ca-from-secret';
export const INJECT_APISERVER_CA_ANNOTATION = 'cert-manager.io/inject-apiserver-ca';
export const ALLOW_DIRECT_INJECTION_ANNOTATION = 'cert-manager.io/allow-direct-injection';

/** The IssuerSpec members that select an issuer type; an issuer sets exactly one. */
export const ISSUER_TYPES = ['acme', 'ca', 'selfSigned', 'vault', 'venafi'] as const;
