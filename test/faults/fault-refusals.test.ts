/** Issue 15: faults that do exactly what they say, against the lab and real kube-apiservers. */
import { refusalCases } from './cases/refusal-cases.js';
import { serverFactories, type FaultTestServer } from './support/servers.js';

for (const factory of serverFactories) {
  describe(`fault refusals and scope against ${factory.label}`, function () {
    this.timeout(180_000);
    let server: FaultTestServer | undefined;
    before(async function () {
      this.timeout(600_000);
      server = await factory.start();
    });
    after(async function () {
      this.timeout(60_000);
      await server?.stop();
    });
    refusalCases(
      () =>
        server ??
        (() => {
          throw new Error(`${factory.label} did not start`);
        })(),
      // The real tier serves autoscaling/v2 and takes CRDs; the lab does neither.
      { hpa: factory.servesHpa, installsCrds: factory.servesHpa },
    );
  });
}
