/**
 * What a user's k6 script produces, read from its syntax tree without running it (TypeScript's
 * parser, so `tsc`'s view of the file):
 * - the custom metrics it declares: `new Trend('journey_ms')`, `new Rate(…)`, `new Counter(…)`;
 * - the tags it sets, wherever k6 takes them: `tags: { name: 'home' }` in request params or
 *   scenario options, a `check()`'s third argument, a metric's `.add(value, { journey })`, and
 *   `exec.vu.metrics.tags.journey = …`;
 * - the names of its checks (`check(res, { 'balance shown': … })`), which k6 puts in the
 *   `check` tag of the `checks` metric;
 * - whether it declares its own k6 scenarios (`scenarios: { … }`);
 * - the full URLs it sends requests to (`http.get('http://shop.example/cart')`, a template or a
 *   sum that starts with one): a request the harness cannot attribute, since every ingress is
 *   told its own base URL (`__ENV.BASE_URL`); and the harness's env read at the script's top
 *   level, where k6 has not yet applied a scenario's env.
 * A literal value is recorded; anything else (a variable, a shorthand `{ journey }`) means "set,
 * values not known", and a budget may then filter on any value. Validation uses these facts to
 * name a budget's metric, tag or check that the script never produces.
 */
import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';
import type { ScriptMetricKind, ScriptFacts } from '../budgets/threshold.js';

// Loaded on first use: most commands never read a script, and the compiler is large.
let compiler: typeof TypeScript | undefined;
const typescript = (): typeof TypeScript =>
  (compiler ??= createRequire(import.meta.url)('typescript') as typeof TypeScript);

const kinds: Record<string, ScriptMetricKind | 'gauge' | undefined> = {
  Trend: 'trend',
  Rate: 'rate',
  Counter: 'counter',
  Gauge: 'gauge',
};

/** Where a fact was found: its 1-based line. */
export interface ScriptPlace {
  text: string;
  line: number;
}

/** The functions of k6/http (and chaos/k6's `http`) that send, and where their URL argument is. */
const urlArgument: Record<string, number> = {
  get: 0,
  head: 0,
  post: 0,
  put: 0,
  patch: 0,
  del: 0,
  options: 0,
  request: 1,
};
/** What the harness tells each ingress's scenario (chaos-k6.ts `ingressEnv`). */
const harnessEnv = new Set(['BASE_URL', 'HOST', 'CHAOS_INGRESS']);

export function readScriptFacts(
  source: string,
): ScriptFacts & { gauges: string[]; ownScenarios: boolean; requestUrls: ScriptPlace[]; topLevelEnv: ScriptPlace[] } {
  const ts = typescript();
  const file = ts.createSourceFile('script.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const { requestUrls, topLevelEnv } = readTargets(file);
  const metrics: Record<string, ScriptMetricKind> = {};
  const gauges: string[] = [];
  const tags: Record<string, string[]> = {};
  let checks: string[] | undefined = [];
  let ownScenarios = false;

  const literal = (node: TypeScript.Node | undefined): string | undefined =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const keyOf = (name: TypeScript.PropertyName): string | undefined =>
    ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : undefined;
  /** Once a tag is seen with a value that is not a literal, its values are unknown for good. */
  const note = (tag: string, value: string | undefined) => {
    if (value === undefined) tags[tag] = [];
    else if (!(tag in tags)) tags[tag] = [value];
    else if (tags[tag]!.length > 0 && !tags[tag]!.includes(value)) tags[tag]!.push(value);
  };
  const noteTags = (node: TypeScript.Node | undefined) => {
    if (!node || !ts.isObjectLiteralExpression(node)) return;
    for (const property of node.properties) {
      if (ts.isShorthandPropertyAssignment(property)) note(property.name.text, undefined);
      else if (ts.isPropertyAssignment(property)) {
        const tag = keyOf(property.name);
        if (tag !== undefined) note(tag, literal(property.initializer));
      }
    }
  };
  const calleeName = (call: TypeScript.CallExpression | TypeScript.NewExpression): string | undefined => {
    const callee = call.expression;
    if (ts.isIdentifier(callee)) return callee.text;
    return ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  };
  const noteChecks = (node: TypeScript.Node | undefined) => {
    if (!node || !ts.isObjectLiteralExpression(node)) return void (checks = undefined);
    for (const property of node.properties) {
      const name =
        ts.isPropertyAssignment(property) || ts.isMethodDeclaration(property) ? keyOf(property.name) : undefined;
      if (name === undefined) checks = undefined;
      else if (checks && !checks.includes(name)) checks.push(name);
    }
  };

  const visit = (node: TypeScript.Node): void => {
    if (ts.isNewExpression(node)) {
      const kind = kinds[calleeName(node) ?? ''];
      const name = literal(node.arguments?.[0]);
      if (kind && name !== undefined) {
        if (kind === 'gauge') gauges.push(name);
        else metrics[name] = kind;
      }
    } else if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      if (name === 'check') {
        noteChecks(node.arguments[1]);
        noteTags(node.arguments[2]);
      } else if (name === 'add' && node.arguments.length === 2) noteTags(node.arguments[1]);
    } else if (ts.isPropertyAssignment(node) && keyOf(node.name) === 'tags') noteTags(node.initializer);
    // `scenarios: { … }`: the script declares its own k6 scenarios.
    else if (ts.isPropertyAssignment(node) && keyOf(node.name) === 'scenarios')
      ownScenarios ||= ts.isObjectLiteralExpression(node.initializer);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      // exec.vu.metrics.tags.journey = 'pay', or …tags['journey'] = …
      const target = node.left;
      const owner = ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target) ? target : undefined;
      const tag =
        owner && ts.isPropertyAccessExpression(owner)
          ? owner.name.text
          : owner && ts.isElementAccessExpression(owner)
            ? literal(owner.argumentExpression)
            : undefined;
      if (owner && tag !== undefined && /\bmetrics\s*\.\s*tags$/.test(owner.expression.getText(file)))
        note(tag, literal(node.right));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { metrics, tags, ...(checks ? { checks } : {}), gauges, ownScenarios, requestUrls, topLevelEnv };
}

/** The full URLs requests are sent to, and `__ENV.BASE_URL` (HOST, CHAOS_INGRESS) read outside any function. */
function readTargets(file: TypeScript.SourceFile): { requestUrls: ScriptPlace[]; topLevelEnv: ScriptPlace[] } {
  const ts = typescript();
  const requestUrls: ScriptPlace[] = [];
  const topLevelEnv: ScriptPlace[] = [];
  const lineOf = (node: TypeScript.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  /** The text a URL argument starts with, when it is written out: 'http://…', `http://…${x}`, 'http://…' + x. */
  const leading = (node: TypeScript.Node | undefined): string | undefined => {
    if (!node) return undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isTemplateExpression(node)) return node.head.text;
    if (ts.isParenthesizedExpression(node)) return leading(node.expression);
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return leading(node.left);
    return undefined;
  };
  const inFunction = (node: TypeScript.Node): boolean => {
    for (let up = node.parent; up; up = up.parent) if (ts.isFunctionLike(up)) return true;
    return false;
  };
  const visit = (node: TypeScript.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const at = urlArgument[node.expression.name.text];
      const url = at === undefined ? undefined : leading(node.arguments[at]);
      if (url !== undefined && /^https?:\/\/[^/]/i.test(url)) requestUrls.push({ text: url, line: lineOf(node) });
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === '__ENV' &&
      harnessEnv.has(node.name.text) &&
      !inFunction(node)
    )
      topLevelEnv.push({ text: node.name.text, line: lineOf(node) });
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { requestUrls, topLevelEnv };
}
