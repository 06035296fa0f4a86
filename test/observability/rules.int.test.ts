import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readRuleFiles, runbookBaseUrl, setRunbookBaseUrl } from '../../scripts/generate-prometheus-rule.mjs';
import { loadRules, PROMETHEUS_CONFIG, ROOT, RULES_DIR } from './dashboards.js';
import { MISSING_TOOLS, onPath, promtool } from './promtool.js';

const TESTS_DIR = join(ROOT, 'deploy/prometheus/tests');
const RUNBOOKS = join(ROOT, 'docs/runbooks.md');

interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}

interface RuleTestFile {
  tests: { alert_rule_test?: AlertTest[] }[];
}

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const ruleFiles = () =>
  readdirSync(RULES_DIR)
    .filter((file) => file.endsWith('.yml'))
    .map((file) => join(RULES_DIR, file));
const testFiles = () =>
  readdirSync(TESTS_DIR)
    .filter((file) => file.endsWith('.test.yml'))
    .map((file) => join(TESTS_DIR, file));

describe('Prometheus rules', () => {
  beforeAll(() => {
    if (!onPath('promtool')) throw new Error(MISSING_TOOLS);
  });

  it('pass promtool check rules, and the scrape config passes promtool check config', async () => {
    const rules = await promtool(['check', 'rules', ...ruleFiles()]);
    expect(rules.code, rules.stdout + rules.stderr).toBe(0);
    const config = await promtool(['check', 'config', PROMETHEUS_CONFIG]);
    expect(config.code, config.stdout + config.stderr).toBe(0);
  });

  // One promtool per file, side by side: the day-long series of some tests take seconds each.
  it('pass their promtool unit tests', async () => {
    const runs = await Promise.all(testFiles().map((file) => promtool(['test', 'rules', file])));
    for (const run of runs) expect(run.code, run.stdout + run.stderr).toBe(0);
  }, 120_000);

  it('give every alert a severity, a summary, a description and an absolute link to its runbook section', async () => {
    const base = runbookBaseUrl(await readRuleFiles()) ?? '';
    // Absolute: Alertmanager, Slack and PagerDuty show the link as is.
    expect(base).toMatch(/^https:\/\/[^/]+\/.+\/docs\/runbooks\.md$/);
    const runbooks = readFileSync(RUNBOOKS, 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1] ?? '')));
    const alerts = loadRules().flatMap(({ rules }) => rules.filter((rule) => rule.alert));
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const alert of alerts) {
      const name = alert.alert ?? '';
      expect(alert.labels?.severity, name).toMatch(/critical|warning|\{\{/);
      expect(alert.annotations?.summary, name).toBeTruthy();
      expect(alert.annotations?.description, name).toBeTruthy();
      const url = alert.annotations?.runbook_url ?? '';
      expect(url, name).toBe(`${base}#${name.toLowerCase()}`);
      expect(anchors.has(name.toLowerCase()), `docs/runbooks.md has no section ${name}`).toBe(true);
    }
  });

  it('move every runbook link to another base URL with one command (the generator’s flag)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'otpflow-rules-'));
    try {
      await cp(RULES_DIR, join(root, 'deploy/prometheus/rules'), { recursive: true });
      const wiki = 'https://wiki.example.net/sre/otpflow-runbooks';
      await setRunbookBaseUrl(wiki, root);
      const files = await readRuleFiles(root);
      expect(runbookBaseUrl(files)).toBe(wiki);
      const text = await readFile(join(root, 'deploy/prometheus/rules/otpflow-alerts.yml'), 'utf8');
      expect(text).toContain(`runbook_url: ${wiki}#otpflowservicedown`);
      // Comments and layout stay: only the links changed.
      const original = readFileSync(join(RULES_DIR, 'otpflow-alerts.yml'), 'utf8');
      expect(text.split('\n').length).toBe(original.split('\n').length);
      await expect(setRunbookBaseUrl('docs/runbooks.md', root)).rejects.toThrow(/absolute/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('test every alert firing and not firing', () => {
    const cases = testFiles().flatMap((file) =>
      (parse(readFileSync(file, 'utf8')) as RuleTestFile).tests.flatMap((test) => test.alert_rule_test ?? []),
    );
    const alerts = loadRules().flatMap(({ rules }) =>
      rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])),
    );
    for (const alert of alerts) {
      const own = cases.filter((test) => test.alertname === alert);
      expect(
        own.some((test) => (test.exp_alerts ?? []).length > 0),
        `${alert} never fires in a test`,
      ).toBe(true);
      expect(
        own.some((test) => (test.exp_alerts ?? []).length === 0),
        `${alert} has no non-firing test`,
      ).toBe(true);
    }
  });
});
