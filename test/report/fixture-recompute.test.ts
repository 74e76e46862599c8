/**
 * Goldens that can be wrong: every fixture run keeps k6's raw output (k6-samples.json.gz), and
 * every count, error rate, percentile and verdict of its result.json is recomputed from it by an
 * independent implementation (test/support/recompute-result.ts: plain sort and k6's
 * interpolation between closest ranks, agreement within 0.1 %). The golden reports are rendered from these
 * result files, so a wrong number fails here before it can be frozen; UPDATE_GOLDEN=1 changes
 * nothing in this check.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readRawRequests, recomputeResult, type ResultDocument } from '../support/recompute-result.js';
import { fixtureReports, fixtureRuns } from './report-fixtures.js';

const runFolders = readdirSync(fixtureReports).filter((name) =>
  existsSync(path.join(fixtureReports, name, 'result.json')),
);

const load = (folder: string) => ({
  result: JSON.parse(readFileSync(path.join(fixtureReports, folder, 'result.json'), 'utf8')) as ResultDocument,
  raw: readRawRequests(readFileSync(path.join(fixtureReports, folder, 'k6-samples.json.gz'))),
});

describe("fixture runs agree with k6's raw samples (independent recomputation)", () => {
  it('every fixture run used by the goldens is among the checked folders, each with its raw samples', () => {
    expect(runFolders).to.include.members(Object.values(fixtureRuns));
    for (const folder of runFolders)
      expect(
        existsSync(path.join(fixtureReports, folder, 'k6-samples.json.gz')),
        `${folder}/k6-samples.json.gz`,
      ).to.equal(true);
  });

  for (const folder of runFolders) {
    it(`${folder}: every phase, window and verdict number recomputes from the raw samples`, () => {
      const { result, raw } = load(folder);
      expect(raw.length, 'raw requests').to.be.greaterThan(0);
      expect(result.phaseStats.length).to.be.greaterThan(0);
      expect(recomputeResult(result, raw)).to.deep.equal([]);
    });
  }

  it('a deliberately altered number fails the check, naming it', () => {
    const { result, raw } = load(fixtureRuns.failed);
    const altered = structuredClone(result);
    const stats = altered.phaseStats[0]!.stats;
    stats.p95 = (stats.p95 ?? 0) * 1.01 + 0.01;
    stats.requests += 1;
    const verdict = altered.verdicts[0]!;
    verdict.pass = !verdict.pass;
    const problems = recomputeResult(altered, raw);
    const where = `phase ${altered.phaseStats[0]!.phase}/${altered.phaseStats[0]!.ingress}`;
    expect(problems.some((p) => p.startsWith(`${where}: p95`))).to.equal(true);
    expect(problems.some((p) => p.startsWith(`${where}: requests`))).to.equal(true);
    expect(problems.some((p) => p.includes(`${verdict.budget}: pass is ${verdict.pass}`))).to.equal(true);
  });
});
