/** A small CRD exercising what the server must honour: schema, defaults, CEL, printer columns, selectable fields. */
export const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.certwright.io' },
  spec: {
    group: 'example.certwright.io',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wdg'], categories: ['gadgets'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        selectableFields: [{ jsonPath: '.spec.color' }],
        additionalPrinterColumns: [
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: 'Color', type: 'string', jsonPath: '.spec.color' },
          { name: 'Size', type: 'integer', jsonPath: '.spec.size', priority: 1 },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['color'],
                'x-kubernetes-validations': [
                  { rule: "self.color != 'black' || self.size > 1", message: 'black widgets must be bigger than 1' },
                  { rule: 'has(self.size) ? self.size <= 100 : true' },
                  { rule: 'self.color == oldSelf.color', message: 'color is immutable' },
                ],
                properties: {
                  color: { type: 'string', enum: ['red', 'green', 'blue', 'black'] },
                  size: { type: 'integer', minimum: 1, default: 3 },
                  parts: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, count: { type: 'integer' } } },
                  },
                  tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
                  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  name: { type: 'string', maxLength: 10, pattern: '^[a-z]+$' },
                },
              },
              status: {
                type: 'object',
                properties: {
                  observedGeneration: { type: 'integer' },
                  conditions: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['type'],
                    items: { type: 'object', required: ['type', 'status'], properties: { type: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

export const widgetPath = (namespace: string, name = ''): string => `/apis/example.certwright.io/v1/namespaces/${namespace}/widgets${name ? `/${name}` : ''}`;

export function widget(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'example.certwright.io/v1', kind: 'Widget', metadata: { name, ...metadata }, spec };
}
