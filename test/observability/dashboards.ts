import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DASHBOARDS_DIR = join(ROOT, 'deploy/grafana/dashboards');
export const RULES_DIR = join(ROOT, 'deploy/prometheus/rules');
export const PROMETHEUS_CONFIG = join(ROOT, 'deploy/prometheus/prometheus.yml');

interface Datasource {
  type?: string;
  uid?: string;
}

interface Target {
  refId: string;
  expr?: string;
  datasource?: Datasource;
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: Datasource;
  targets?: Target[];
  panels?: Panel[];
}

export interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: Datasource;
  allValue?: string;
  multi?: boolean;
  includeAll?: boolean;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  datasourceUid: string | undefined;
}

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard,
    }));
}

/** Panels and, after each row, the panels nested in it. */
const everyPanel = (panels: Panel[]): Panel[] =>
  panels.flatMap((panel) => [panel, ...everyPanel(panel.panels ?? [])]);

/** Every query of every panel, rows' nested panels included. */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return everyPanel(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      dashboard: dashboard.uid,
      panel: panel.title,
      refId: target.refId,
      expr: target.expr ?? '',
      datasourceUid: target.datasource?.uid ?? panel.datasource?.uid,
    })),
  );
}

/**
 * What is wrong with a dashboard's layout: panel ids used twice (Grafana links and keeps state by id),
 * a panel past the grid's 24 columns, and pairs of panels that cover the same cells (Grafana moves one
 * of them when it loads the dashboard, not where the file put it).
 */
export function layoutProblems(dashboard: Dashboard): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const panel of everyPanel(dashboard.panels)) {
    if (seen.has(panel.id)) problems.push(`id ${String(panel.id)} used twice`);
    seen.add(panel.id);
    if (panel.gridPos.x + panel.gridPos.w > 24) problems.push(`${panel.title} is wider than the grid`);
  }
  const overlap = (a: GridPos, b: GridPos) =>
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  // The dashboard's own panels: those of a collapsed row are laid out when it opens.
  dashboard.panels.forEach((panel, index) => {
    for (const other of dashboard.panels.slice(index + 1))
      if (overlap(panel.gridPos, other.gridPos)) problems.push(`${panel.title} overlaps ${other.title}`);
  });
  return problems;
}

export function variableQuery(variable: Variable): string {
  return typeof variable.query === 'string' ? variable.query : variable.query.query;
}

/** `label_values(metric{...}, label)`, the only variable query shape the dashboards use. */
export function parseLabelValues(query: string): { match: string; label: string } {
  const parsed = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query.trim());
  if (!parsed) throw new Error(`not a label_values(metric, label) query: ${query}`);
  return { match: parsed[1] ?? '', label: parsed[2] ?? '' };
}

/**
 * Replaces Grafana's variables: the dashboard's own (`$client`, `${client}`) by the values given, and
 * the built-in intervals by `window`.
 */
export function substitute(expr: string, values: Record<string, string>, window: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, window)
    .replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, plain?: string) => {
      const name = braced ?? plain ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`no value for the variable ${whole} in ${expr}`);
      return value;
    });
}

export interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function loadRules(): { file: string; rules: Rule[] }[] {
  return readdirSync(RULES_DIR)
    .filter((file) => file.endsWith('.yml'))
    .sort()
    .map((file) => ({
      file,
      rules: (parse(readFileSync(join(RULES_DIR, file), 'utf8')) as RuleFile).groups.flatMap(
        (group) => group.rules,
      ),
    }));
}
