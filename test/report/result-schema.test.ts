/**
 * result.json has one documented, versioned format: schema/result.schema.json is generated
 * from the zod schema (UPDATE_GOLDEN=1 regenerates it), real results match it field for field
 * (no undocumented field), and docs/result.md names every field the schema has.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportResultSchema, resultSchema, resultSchemaVersion } from '../../src/report/result-schema.js';
import { readResult } from '../../src/report/read-reports.js';
import { projectRoot } from '../support/cli.js';
import { fixtureReports, fixtureRuns, updating } from './report-fixtures.js';

const schemaFile = path.join(projectRoot, 'schema/result.schema.json');

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
}

/** Dotted paths of every property in the schema, arrays written as `[]`. */
function fieldPaths(node: JsonSchemaNode, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const here = prefix ? `${prefix}.${name}` : name;
    paths.push(here, ...fieldPaths(child, here));
  }
  if (node.items) paths.push(...fieldPaths(node.items, `${prefix}[]`));
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) paths.push(...fieldPaths(option, prefix));
  return [...new Set(paths)];
}

describe('result.json: a documented, versioned format', () => {
  it('schema/result.schema.json is generated from the zod schema', () => {
    const generated = `${JSON.stringify(exportResultSchema(), null, 2)}\n`;
    if (updating) writeFileSync(schemaFile, generated);
    expect(
      readFileSync(schemaFile, 'utf8'),
      'regenerate with UPDATE_GOLDEN=1 npx mocha test/report/result-schema.test.ts',
    ).to.equal(generated);
  });

  for (const [label, folder] of Object.entries(fixtureRuns)) {
    it(`a real result (${label}) matches the schema with no field left out of it`, async () => {
      const raw = JSON.parse(readFileSync(path.join(fixtureReports, folder, 'result.json'), 'utf8')) as unknown;
      const parsed = resultSchema.parse(raw);
      // zod drops unknown fields: equal means every field of the file is in the schema.
      expect(parsed).to.deep.equal(raw);
      expect(parsed.schemaVersion).to.equal(resultSchemaVersion);
      expect(parsed.versions.resultSchema).to.equal(resultSchemaVersion);
      expect(parsed.scenario.phases.map((p) => p.name)).to.deep.equal(['baseline', 'fault', 'recovery']);
    });
  }

  it('another format version is refused with a message that says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chaos-result-'));
    const file = path.join(dir, 'result.json');
    const raw = JSON.parse(
      readFileSync(path.join(fixtureReports, fixtureRuns.passed, 'result.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...raw, schemaVersion: 99 }));
    try {
      await readResult(file).then(
        () => expect.fail('accepted'),
        (error: Error) => expect(error.message).to.match(/result format 99; this chaos reads format 1/),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/result.md documents every field of the schema', () => {
    const doc = readFileSync(path.join(projectRoot, 'docs/result.md'), 'utf8');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as JsonSchemaNode;
    const missing = fieldPaths(schema).filter((field) => !doc.includes(`\`${field}\``));
    expect(missing, 'fields not named in docs/result.md (write them as `a.b[].c`)').to.deep.equal([]);
    expect(doc).to.include(`schemaVersion\` is ${resultSchemaVersion}`);
  });
});
