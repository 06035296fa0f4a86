/**
 * JSON schemas of the MongoDB Community and RabbitMQ operators' resources the prod overlay uses.
 *
 * Why written here and not vendored: no npm package ships these CRDs or their OpenAPI schemas
 * (kubernetes-models covers core, KEDA, the Prometheus Operator, cert-manager and the Gateway API, not
 * these two operators), and the machines reach no other source of them: the operators' CRDs come with
 * their Go modules and release YAML, and the Go module proxy is for building Go code, not for fetching
 * another project's files. So these schemas are written from the operators' API types
 * (mongodb-kubernetes-operator api/v1/mongodbcommunity_types.go; rabbitmq cluster-operator
 * api/v1beta1/rabbitmqcluster_types.go; messaging-topology-operator api/v1beta1/{user,permission,
 * policy}_types.go): every field of the objects we fill in the small resources (User, Permission,
 * Policy: closed, as their types are), the fields we use and the required ones of the large ones
 * (RabbitmqCluster, MongoDBCommunity: open at the top of spec, closed where we fill them in).
 * Replace them with the CRDs' schemas once a package ships them.
 */

const string = { type: 'string' } as const;
const name = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 } as const;
const localRef = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name },
} as const;
const quantity = {
  anyOf: [{ type: 'string', pattern: '^[0-9.]+(m|Ki|Mi|Gi|Ti|k|M|G|T)?$' }, { type: 'number' }],
};
const resources = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requests: { type: 'object', additionalProperties: quantity },
    limits: { type: 'object', additionalProperties: quantity },
  },
} as const;

/** The reference every Messaging Topology resource makes to its cluster. */
const rabbitmqClusterReference = {
  type: 'object',
  additionalProperties: false,
  properties: { name, namespace: name, connectionSecret: localRef },
  anyOf: [{ required: ['name'] }, { required: ['connectionSecret'] }],
} as const;

const objectOf = (spec: object) => ({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: string,
    kind: string,
    metadata: { type: 'object', required: ['name'], properties: { name, namespace: name } },
    spec,
  },
});

const rabbitmqCluster = objectOf({
  type: 'object',
  properties: {
    replicas: { type: 'integer', minimum: 0 },
    image: string,
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: { secretName: name, caSecretName: name, disableNonTLSListeners: { type: 'boolean' } },
    },
    resources,
    persistence: {
      type: 'object',
      additionalProperties: false,
      properties: { storageClassName: string, storage: quantity },
    },
    rabbitmq: {
      type: 'object',
      additionalProperties: false,
      properties: {
        additionalPlugins: { type: 'array', items: { type: 'string', pattern: '^\\w+$' } },
        additionalConfig: string,
        advancedConfig: string,
        envConfig: string,
        erlangInetConfig: string,
      },
    },
    service: { type: 'object' },
    override: { type: 'object' },
    affinity: { type: 'object' },
    tolerations: { type: 'array' },
    terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
    skipPostDeploySteps: { type: 'boolean' },
    delayStartSeconds: { type: 'integer', minimum: 0 },
    secretBackend: { type: 'object' },
    imagePullSecrets: { type: 'array' },
    autoEnableAllFeatureFlags: { type: 'boolean' },
  },
  additionalProperties: false,
});

const user = objectOf({
  type: 'object',
  required: ['rabbitmqClusterReference'],
  additionalProperties: false,
  properties: {
    tags: { type: 'array', items: { enum: ['management', 'policymaker', 'monitoring', 'administrator'] } },
    rabbitmqClusterReference,
    importCredentialsSecret: localRef,
  },
});

const permission = objectOf({
  type: 'object',
  required: ['vhost', 'permissions', 'rabbitmqClusterReference'],
  additionalProperties: false,
  properties: {
    user: string,
    userReference: localRef,
    vhost: string,
    permissions: {
      type: 'object',
      additionalProperties: false,
      properties: { configure: string, write: string, read: string },
    },
    rabbitmqClusterReference,
  },
  oneOf: [{ required: ['user'] }, { required: ['userReference'] }],
});

const policy = objectOf({
  type: 'object',
  required: ['name', 'pattern', 'definition', 'rabbitmqClusterReference'],
  additionalProperties: false,
  properties: {
    name: string,
    vhost: string,
    pattern: string,
    applyTo: { enum: ['queues', 'classic_queues', 'quorum_queues', 'streams', 'exchanges', 'all'] },
    priority: { type: 'integer' },
    definition: { type: 'object' },
    rabbitmqClusterReference,
  },
});

const secretKeyRef = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name, key: string },
} as const;

const mongodbCommunity = objectOf({
  type: 'object',
  required: ['members', 'type', 'version', 'security', 'users'],
  properties: {
    members: { type: 'integer', minimum: 1 },
    arbiters: { type: 'integer', minimum: 0 },
    type: { enum: ['ReplicaSet'] },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
    featureCompatibilityVersion: string,
    replicaSetHorizons: { type: 'array' },
    security: {
      type: 'object',
      additionalProperties: false,
      properties: {
        authentication: {
          type: 'object',
          additionalProperties: false,
          properties: {
            modes: { type: 'array', items: { enum: ['SCRAM', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'X509'] } },
            agentMode: { enum: ['SCRAM', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'X509'] },
            ignoreUnknownUsers: { type: 'boolean' },
          },
        },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled'],
          properties: {
            enabled: { type: 'boolean' },
            optional: { type: 'boolean' },
            certificateKeySecretRef: localRef,
            caCertificateSecretRef: localRef,
            caConfigMapRef: localRef,
          },
        },
        roles: { type: 'array' },
      },
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'db', 'passwordSecretRef', 'roles', 'scramCredentialsSecretName'],
        additionalProperties: false,
        properties: {
          name: string,
          db: string,
          passwordSecretRef: secretKeyRef,
          roles: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['name', 'db'],
              additionalProperties: false,
              properties: { name: string, db: string },
            },
          },
          scramCredentialsSecretName: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
          connectionStringSecretName: name,
          additionalConnectionStringConfig: { type: 'object' },
        },
      },
    },
    statefulSet: { type: 'object', required: ['spec'], properties: { spec: { type: 'object' } } },
    additionalMongodConfig: { type: 'object' },
    agent: { type: 'object' },
    prometheus: { type: 'object' },
    automationConfig: { type: 'object' },
    additionalConnectionStringConfig: { type: 'object' },
  },
  additionalProperties: false,
});

/** The schemas by apiVersion and kind. */
export const OPERATOR_SCHEMAS: Record<string, Record<string, object>> = {
  'rabbitmq.com/v1beta1': {
    RabbitmqCluster: rabbitmqCluster,
    User: user,
    Permission: permission,
    Policy: policy,
  },
  'mongodbcommunity.mongodb.com/v1': { MongoDBCommunity: mongodbCommunity },
};
