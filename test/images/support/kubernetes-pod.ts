import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const BASE = fileURLToPath(new URL('../../../k8s/base/', import.meta.url));

export type Service = 'gateway' | 'dispatcher' | 'metrics';

/** How the base Kubernetes manifests run one service's container: what a container run must copy. */
export interface PodSettings {
  runAsUser: number;
  runAsGroup: number;
  readOnlyRootFilesystem: boolean;
  allowPrivilegeEscalation: boolean;
  droppedCapabilities: string[];
  /** Paths mounted from an emptyDir (writable scratch space on a read-only root). */
  emptyDirMounts: string[];
  memoryLimitBytes: number | undefined;
  cpuLimit: number | undefined;
  terminationGracePeriodSeconds: number;
  /** The literals of the ConfigMaps the container reads (otpflow-config, otpflow-<service>-config). */
  configEnv: Record<string, string>;
}

interface Container {
  name: string;
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
  resources?: { limits?: { memory?: string; cpu?: string | number } };
}

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
}

interface Document {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: PodSpec } };
  configMapGenerator?: { name: string; literals?: string[] }[];
}

function documents(file: string): Document[] {
  return parseAllDocuments(readFileSync(`${BASE}${file}`, 'utf8')).map((doc) => doc.toJS() as Document);
}

const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 };

function quantityBytes(quantity: string | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([KMG]i?|k)?$/.exec(quantity);
  if (!match) throw new Error(`unsupported memory quantity ${quantity}`);
  return Math.round(Number(match[1]) * (match[2] ? (UNITS[match[2]] ?? 1) : 1));
}

function cpuQuantity(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

function configMapLiterals(names: string[]): Record<string, string> {
  const [kustomization] = documents('kustomization.yaml');
  const env: Record<string, string> = {};
  for (const generator of kustomization?.configMapGenerator ?? []) {
    if (!names.includes(generator.name)) continue;
    for (const literal of generator.literals ?? []) {
      const at = literal.indexOf('=');
      env[literal.slice(0, at)] = literal.slice(at + 1);
    }
  }
  return env;
}

/** Reads k8s/base/<service>.yaml (its Deployment) and the base kustomization's ConfigMaps. */
export function podSettings(service: Service): PodSettings {
  const deployment = documents(`${service}.yaml`).find(
    (doc) => doc.kind === 'Deployment' && doc.metadata?.name === `otpflow-${service}`,
  );
  const pod = deployment?.spec?.template?.spec;
  const container = pod?.containers.find((candidate) => candidate.name === service);
  if (!pod || !container) throw new Error(`k8s/base/${service}.yaml has no Deployment otpflow-${service}`);
  const security = container.securityContext ?? {};
  const emptyDirs = new Set(pod.volumes?.filter((volume) => volume.emptyDir).map((volume) => volume.name));
  const runAsUser = security.runAsUser ?? pod.securityContext?.runAsUser;
  const runAsGroup = security.runAsGroup ?? pod.securityContext?.runAsGroup;
  if (runAsUser === undefined || runAsGroup === undefined)
    throw new Error(`k8s/base/${service}.yaml sets no runAsUser/runAsGroup`);
  return {
    runAsUser,
    runAsGroup,
    readOnlyRootFilesystem: security.readOnlyRootFilesystem ?? false,
    allowPrivilegeEscalation: security.allowPrivilegeEscalation ?? true,
    droppedCapabilities: security.capabilities?.drop ?? [],
    emptyDirMounts: (container.volumeMounts ?? [])
      .filter((mount) => emptyDirs.has(mount.name))
      .map((mount) => mount.mountPath),
    memoryLimitBytes: quantityBytes(container.resources?.limits?.memory),
    cpuLimit: cpuQuantity(container.resources?.limits?.cpu),
    // Kubernetes' default when the manifest sets none.
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    configEnv: configMapLiterals(['otpflow-config', `otpflow-${service}-config`]),
  };
}

/** The container engine's `run` flags that reproduce those settings. */
export function podRunFlags(settings: PodSettings): string[] {
  const flags = [`--user=${settings.runAsUser}:${settings.runAsGroup}`];
  if (settings.readOnlyRootFilesystem) flags.push('--read-only');
  if (!settings.allowPrivilegeEscalation) flags.push('--security-opt=no-new-privileges');
  for (const capability of settings.droppedCapabilities) flags.push(`--cap-drop=${capability}`);
  for (const path of settings.emptyDirMounts) flags.push(`--tmpfs=${path}:rw,nosuid,nodev,size=64m`);
  if (settings.memoryLimitBytes !== undefined) flags.push(`--memory=${settings.memoryLimitBytes}b`);
  if (settings.cpuLimit !== undefined) flags.push(`--cpus=${settings.cpuLimit}`);
  return flags;
}
