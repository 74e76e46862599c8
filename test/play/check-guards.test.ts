/**
 * What a run on real clusters says about the guard before it starts: active per cluster, one
 * warning when any is missing, and with requireGuard a refusal (exit 3) before anything else.
 */
import { expect } from 'chai';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { ChaosError } from '../../src/errors/errors.js';
import type { Environment } from '../../src/environment/types.js';
import { KubeApiError } from '../../src/kube/api-error.js';
import type { ClusterApi, ClusterApis } from '../../src/kube/cluster-api.js';
import type { Lease } from '../../src/kube/types.js';
import { checkGuards } from '../../src/play/check-guards.js';

const nowMs = Date.now();
const lease = (renewedSecondsAgo: number): Lease => ({
  spec: {
    holderIdentity: 'guard host pid 1 abc',
    leaseDurationSeconds: 15,
    renewTime: new Date(nowMs - renewedSecondsAgo * 1000),
  },
});
const notFound = () =>
  new KubeApiError(
    'not found',
    { cluster: 'x', context: 'x', call: { verb: 'GET', resource: 'leases' } },
    404,
    'NotFound',
    false,
  );

function apisWith(leases: Record<string, Lease | undefined>): ClusterApis {
  return new Map(
    Object.entries(leases).map(([cluster, found]) => [
      cluster,
      {
        cluster,
        readLease: async () => {
          if (!found) throw notFound();
          return found;
        },
      } as unknown as ClusterApi,
    ]),
  );
}

const environment = { name: 'prod', builtIn: false, requireGuard: false } as Environment;

describe('a run asks whether a guard is active in each cluster', () => {
  it('says so per cluster, and warns once naming every cluster without one', async () => {
    const said: string[] = [];
    const warned: string[] = [];
    // Renewed 2 s ago with a 15 s Lease: active. Renewed 60 s ago: stale (15 + 5 s of clock slack).
    const apis = apisWith({ central: lease(2), west: lease(60), east: undefined });
    await checkGuards(
      environment,
      false,
      apis,
      (l) => said.push(l),
      (l) => warned.push(l),
    );
    expect(said.map((line) => line.split(' (')[0])).to.deep.equal([
      'guard in central: active',
      'guard in west: NONE',
      'guard in east: NONE',
    ]);
    expect(warned).to.have.length(1);
    expect(warned[0]).to.match(/no active chaos guard in west, east/);
  });

  it('with requireGuard, refuses with exit 3 and changes nothing', async () => {
    const error = await checkGuards(
      environment,
      true,
      apisWith({ central: lease(2), west: undefined }),
      () => {},
      () => {},
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ChaosError);
    expect((error as ChaosError).exitCode).to.equal(ExitCode.harnessError);
    expect((error as Error).message).to.match(
      /no active chaos guard in west, and the scenario says requireGuard: true/,
    );
  });

  it('the lab is not asked: its guard runs in `chaos lab up`, and an embedded lab dies with its run', async () => {
    const lab = { ...environment, builtIn: true };
    expect(
      await checkGuards(
        lab,
        true,
        apisWith({ central: undefined }),
        () => {},
        () => {},
      ),
    ).to.deep.equal([]);
  });
});
