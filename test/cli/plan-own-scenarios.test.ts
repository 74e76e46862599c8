/** `chaos plan` says when a script declares its own k6 scenarios: load.rate then does not drive k6. */
import { expect } from 'chai';
import path from 'node:path';
import { projectRoot, runChaos } from '../support/cli.js';

const fixtures = path.join(projectRoot, 'test/fixtures/scenarios');

describe("chaos plan: a script's own scenarios", () => {
  it('warns that load.rate only sets what delivery expects, and names the script as running its own scenarios', () => {
    const plan = runChaos(['plan', path.join(fixtures, 'own-scenarios.yaml')]);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stdout).to.include('script load/own-scenarios.ts with its own scenarios');
    expect(plan.stdout).to.include(
      'warning: the script declares its own options.scenarios: each runs once per ingress, fitted to the phases; load.rate (5/s) does not drive k6',
    );
  });

  it('says nothing of the kind for a script without its own scenarios', () => {
    const plan = runChaos(['plan', path.join(fixtures, 'p99-at-15.yaml')]);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stdout).not.to.include('its own options.scenarios');
  });
});
