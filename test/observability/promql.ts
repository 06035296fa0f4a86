/**
 * Just enough PromQL reading for the observability tests: which metric names and vector selectors an
 * expression uses. Not a parser: it relies on the shapes our rules and dashboards use (no nested braces,
 * no braces inside label values), and the tests fail loudly if an expression confuses it (a name that
 * is not a metric is reported as missing).
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);

/** The expression with string literals emptied, so their content is never taken for a name. */
function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

/** Metric names an expression selects by name (`name{...}`, `name[5m]`, bare `name`). */
export function metricNames(expr: string): string[] {
  const bare = withoutStrings(expr)
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const name = match[1] ?? '';
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** The regular expressions of `{__name__=~"..."}` selectors. */
export function nameRegexes(expr: string): RegExp[] {
  return [...expr.matchAll(/__name__\s*=~\s*"((?:[^"\\]|\\.)*)"/g)].map(
    (match) => new RegExp(`^(?:${unescapePromqlString(match[1] ?? '')})$`),
  );
}

/** Every vector selector with label matchers, as PromQL text (`name{a="b"}`, `{__name__=~"x"}`). */
export function vectorSelectors(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\{([^{}]*)\}/g)].map((match) => match[0]);
}

function unescapePromqlString(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}
