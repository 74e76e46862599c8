/** `compare.tolerance` in a scenario and an environment file: parsed, merged field by field, bad values named. */
import { expect } from 'chai';
import { InputError, formatIssue } from '../../src/errors/errors.js';
import { validateScenario } from '../../src/scenario/validate-scenario.js';
import { validateEnvironment } from '../../src/environment/validate-environment.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import { tolerance, toleranceFor } from '../../src/budgets/compare.js';

const lab = { name: 'lab', clusters: ['central', 'west'] };
const scenario = (compare: string) =>
  [
    'name: s',
    'description: d',
    'load: { rate: 1 }',
    'faults: []',
    'budgets: { all: { http_req_failed: rate<0.5 } }',
    compare,
  ].join('\n');
const environment = (compare: string) =>
  [
    'name: noisy',
    'namespace: app',
    'clusters:',
    '  central: { context: c, ingress: { url: "http://127.0.0.1:1" } }',
    compare,
  ].join('\n');

describe('compare.tolerance', () => {
  it('a scenario sets its own; fields it leaves out come from the environment, then the default', () => {
    const own = validateScenario(
      parseYamlSource('s.yaml', scenario('compare: { tolerance: { relative: 60%, latency: 20ms } }')),
      lab,
    );
    expect(own.compareTolerance).to.deep.equal({ relative: 0.6, latencyFloorMs: 20 });
    const noisy = validateEnvironment(
      parseYamlSource('noisy.yaml', environment('compare: { tolerance: { relative: 40%, errors: 2% } }')),
    );
    expect(noisy.compareTolerance).to.deep.equal({ relative: 0.4, errorFloor: 0.02 });
    expect(toleranceFor(own.compareTolerance, noisy.compareTolerance)).to.deep.equal({
      relative: 0.6,
      latencyFloorMs: 20,
      errorFloor: 0.02,
    });
    expect(toleranceFor(undefined, undefined)).to.deep.equal({ relative: 0.25, latencyFloorMs: 5, errorFloor: 0.005 });
    expect(tolerance.relative).to.equal(0.25); // the default itself is untouched
  });

  it('a bad value names the file, line and field', () => {
    let issues: string[] = [];
    try {
      validateScenario(parseYamlSource('s.yaml', scenario('compare: { tolerance: { latency: 5 } }')), lab);
    } catch (error) {
      if (error instanceof InputError) issues = error.issues.map(formatIssue);
    }
    expect(issues.join('\n')).to.match(/s\.yaml:6:.*compare\.tolerance\.latency/);
  });
});
