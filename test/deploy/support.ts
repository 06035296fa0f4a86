import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js';
import * as certManager from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import * as gatewayApi from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { OPERATOR_SCHEMAS } from './operator-schemas.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A rendered Kubernetes object, loosely typed: the tests read it as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Parses every YAML document of a text (comments and empty documents are skipped). */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true })
    .map((document) => {
      if (document.errors.length > 0)
        throw new Error(document.errors.map((error) => error.message).join('\n'));
      return document.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}

/** The kustomize command line: a `kustomize` binary if there is one, else `kubectl kustomize`. */
function kustomizeCommand(): [string, string[]] {
  const gopath = (() => {
    try {
      return execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  })();
  const candidates = ['kustomize', ...(gopath ? [path.join(gopath, 'bin', 'kustomize')] : [])];
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return [candidate, ['build']];
    } catch {
      // not this one
    }
  }
  try {
    execFileSync('kubectl', ['kustomize', '--help'], { stdio: 'ignore' });
    return ['kubectl', ['kustomize']];
  } catch {
    throw new Error('neither kustomize nor kubectl is installed: run scripts/install-kustomize.sh');
  }
}

let command: [string, string[]] | undefined;

/** Renders a kustomization directory (relative to the repository root) into its objects. */
export function kustomize(directory: string): K8sObject[] {
  command ??= kustomizeCommand();
  const [binary, args] = command;
  const output = execFileSync(binary, [...args, path.join(ROOT, directory)], {
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
  });
  return parseYamlDocuments(output) as K8sObject[];
}

type ModelClass = new (data: object) => { validate(): void };

/** The schema-validating model of each apiVersion the manifests may use, by kind. */
const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'networking.k8s.io/v1': networking,
  'policy/v1': policy,
  'keda.sh/v1alpha1': keda,
  'monitoring.coreos.com/v1': monitoring,
  'cert-manager.io/v1': certManager,
  'gateway.networking.k8s.io/v1': gatewayApi,
};

// strictRequired off: required fields inside anyOf/oneOf branches name properties defined beside them.
const operatorAjv = new Ajv2019({
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
});
/** Validators of the operators' resources that no models package covers (operator-schemas.ts). */
const OPERATOR_VALIDATORS = Object.fromEntries(
  Object.entries(OPERATOR_SCHEMAS).map(([apiVersion, kinds]) => [
    apiVersion,
    Object.fromEntries(Object.entries(kinds).map(([kind, schema]) => [kind, operatorAjv.compile(schema)])),
  ]),
);

/**
 * Validates an object against the Kubernetes (or CRD) OpenAPI schema of its apiVersion and kind.
 * Returns the problems; an object of an apiVersion/kind without a known schema is one.
 */
export function schemaProblems(object: K8sObject): string[] {
  const validate = OPERATOR_VALIDATORS[object.apiVersion]?.[object.kind];
  if (validate) {
    return validate(object)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  }
  const Model = MODELS[object.apiVersion]?.[object.kind] as (ModelClass & { kind?: string }) | undefined;
  if (typeof Model !== 'function' || Model.kind !== object.kind) {
    return [`no schema known for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/**
 * Compose variable interpolation as `docker compose` applies it before validating: `${VAR:-default}`,
 * `${VAR-default}`, `${VAR}`, `$VAR` and `$$`. Variables take their defaults (the environment of the
 * test run is ignored, so the result does not depend on it); a variable without default is empty.
 */
export function interpolate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (match, _braced: string | undefined, fallback: string | undefined) => {
        if (match === '$$') return '$';
        return fallback ?? '';
      },
    );
  }
  if (Array.isArray(value)) return value.map(interpolate);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item)]));
  }
  return value;
}

/**
 * A validator of the Compose Specification's JSON schema (test/deploy/compose-spec.json). The schema
 * names four formats of its own; they are checked as Compose reads them.
 */
export function composeValidator(schema: object): (document: unknown) => ErrorObject[] {
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true, validateSchema: false });
  // The schema marks its definitions with the draft-04 `id` keyword, which Ajv refuses by default
  // (it wants `$id`): an annotation here, with nothing to check.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  // Go durations: 10s, 1m30s, 500ms.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // [host_ip:][host_port:]container_port[/protocol], ports and ranges; numbers are accepted as is.
  ajv.addFormat('ports', {
    type: 'string',
    validate: (text) =>
      /^(((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(text),
  });
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  const validate = ajv.compile(schema);
  return (document) => (validate(document) ? [] : [...(validate.errors ?? [])]);
}

/** One stage of a Dockerfile: its name and instructions (continuation lines joined). */
export interface DockerStage {
  name: string | undefined;
  from: string;
  instructions: { keyword: string; args: string }[];
}

/** Parses a Dockerfile into its global ARGs and its stages (no variable expansion). */
export function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: DockerStage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = match[2] ?? '';
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: from?.[1] ?? args, name: from?.[2], instructions: [] });
    } else if (stages.length === 0 && keyword === 'ARG') {
      const [name = '', value = ''] = args.split('=');
      globalArgs.set(name, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return { globalArgs, stages };
}

export function exists(relativePath: string): boolean {
  return existsSync(path.join(ROOT, relativePath));
}
