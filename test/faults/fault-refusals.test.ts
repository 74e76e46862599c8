/** Issue 15: faults that do exactly what they say, against the lab and real kube-apiservers. */
import { refusalCases } from './cases/refusal-cases.js';
import { describeForEachServer } from './support/servers.js';

describeForEachServer(
  (label) => `fault refusals and scope against ${label}`,
  (live, factory) =>
    refusalCases(
      live,
      // Both serve autoscaling/v2; the real tier takes CRDs, the lab serves KEDA's built in.
      { hpa: factory.servesHpa, installsCrds: factory.installsCrds },
    ),
);
