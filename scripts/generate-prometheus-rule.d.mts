// Types of scripts/generate-prometheus-rule.mjs, for the tests that import it.

export interface RuleGroup {
  name: string;
  rules: Record<string, unknown>[];
  [key: string]: unknown;
}

export interface PrometheusRuleObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string };
  spec: { groups: RuleGroup[] };
}

export const ROOT: string;
export const RULES_DIR: string;
export const OUTPUT: string;

export function prometheusRule(file: string, groups: RuleGroup[]): PrometheusRuleObject;

export function readRuleFiles(root?: string): Promise<{ file: string; groups: RuleGroup[] }[]>;

export function renderPrometheusRule(root?: string): Promise<string>;

export function runbookBaseUrl(files: { file: string; groups: RuleGroup[] }[]): string | undefined;

export function setRunbookBaseUrl(url: string, root?: string): Promise<void>;
