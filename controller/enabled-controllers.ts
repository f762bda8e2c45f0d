/**
 * cert-manager's `--controllers` flag (reference §2.1): `*` is every default controller, `name`
 * adds one, `-name` removes one, and a list of only removals starts from `*`.
 */

/** The controllers certwright runs, by the names cert-manager gives them. */
export const CERTWRIGHT_CONTROLLERS = [
  'issuers',
  'clusterissuers',
  'certificates',
  'certificaterequests-approver',
  'certificaterequests-issuer-ca',
  'certificaterequests-issuer-selfsigned',
  'certificaterequests-issuer-vault',
  'ingress-shim',
  'orders',
  'challenges',
  'certificaterequests-issuer-acme',
  // Runs only with --enable-gateway-api, as in cert-manager.
  'gateway-shim',
] as const;

/**
 * Controllers `*` leaves out. cert-manager runs CA injection as a separate binary (cainjector);
 * certwright runs it in-process when `--controllers` names it.
 */
export const OPT_IN_CONTROLLERS = ['cainjector'] as const;

export type ControllerName = (typeof CERTWRIGHT_CONTROLLERS)[number] | (typeof OPT_IN_CONTROLLERS)[number];

const KNOWN_CONTROLLERS: readonly ControllerName[] = [...CERTWRIGHT_CONTROLLERS, ...OPT_IN_CONTROLLERS];

/**
 * cert-manager's names for its six certificate controllers; certwright runs them as the stages of
 * its one `certificates` controller, so naming any of them means that controller.
 */
const CERTIFICATE_STAGE_NAMES = [
  'certificates-trigger',
  'certificates-key-manager',
  'certificates-request-manager',
  'certificates-issuing',
  'certificates-readiness',
  'certificates-revision-manager',
];

/**
 * Names cert-manager accepts that certwright has nothing for (yet): accepted so flags copied from
 * a cert-manager deployment keep working, and otherwise ignored.
 */
export const IGNORED_CERT_MANAGER_CONTROLLERS: readonly string[] = [
  'certificates-metrics',
  'listenerset',
  'certificaterequests-issuer-venafi',
  'certificatesigningrequests-issuer-acme',
  'certificatesigningrequests-issuer-ca',
  'certificatesigningrequests-issuer-selfsigned',
  'certificatesigningrequests-issuer-venafi',
  'certificatesigningrequests-issuer-vault',
];

function canonical(name: string): ControllerName | undefined {
  if (CERTIFICATE_STAGE_NAMES.includes(name)) return 'certificates';
  return KNOWN_CONTROLLERS.find((c) => c === name);
}

/** The controllers `--controllers` (split on commas) selects; throws naming any unknown entry. */
export function enabledControllers(entries: readonly string[]): Set<ControllerName> {
  const items = entries.map((e) => e.trim()).filter((e) => e !== '');
  const enabled = new Set<ControllerName>();
  const wildcard = items.includes('*') || items.every((e) => e.startsWith('-'));
  if (wildcard) CERTWRIGHT_CONTROLLERS.forEach((c) => enabled.add(c));
  const unknown: string[] = [];
  for (const item of items) {
    if (item === '*') continue;
    const negated = item.startsWith('-');
    const name = negated ? item.slice(1) : item;
    const controller = canonical(name);
    if (!controller) {
      if (!IGNORED_CERT_MANAGER_CONTROLLERS.includes(name)) unknown.push(item);
      continue;
    }
    if (negated) enabled.delete(controller);
    else enabled.add(controller);
  }
  if (unknown.length > 0) {
    throw new Error(`unknown controller(s) in --controllers: ${unknown.join(', ')}; known: *, ${KNOWN_CONTROLLERS.join(', ')}`);
  }
  return enabled;
}
