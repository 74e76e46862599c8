/** Judged by 2, 3, 4 (and the HPA handling of scale), against the lab and real kube-apiservers. */
import { safetyCases } from './cases/safety-cases.js';
import { serverFactories, type FaultTestServer } from './support/servers.js';

for (const factory of serverFactories) {
  describe(`fault safety against ${factory.label}`, function () {
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
    safetyCases(
      () =>
        server ??
        (() => {
          throw new Error(`${factory.label} did not start`);
        })(),
      { hpa: factory.servesHpa },
    );
  });
}
