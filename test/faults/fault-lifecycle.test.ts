/** Judged by 1, against the lab and against real kube-apiservers (same cases). */
import { lifecycleCases } from './cases/lifecycle-cases.js';
import { serverFactories, type FaultTestServer } from './support/servers.js';

for (const factory of serverFactories) {
  describe(`fault lifecycle against ${factory.label}`, function () {
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
    lifecycleCases(
      () =>
        server ??
        (() => {
          throw new Error(`${factory.label} did not start`);
        })(),
    );
  });
}
