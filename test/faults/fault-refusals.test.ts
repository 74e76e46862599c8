/** Issue 15: faults that do exactly what they say, against the lab and real kube-apiservers. */
import { refusalCases } from './cases/refusal-cases.js';
import { describeForEachServer } from './support/servers.js';

describeForEachServer(
  (label) => `fault refusals and scope against ${label}`,
  (live, factory) =>
    refusalCases(
      live,
      // The real tier serves autoscaling/v2 and takes CRDs; the lab does neither.
      { hpa: factory.servesHpa, installsCrds: factory.servesHpa },
    ),
);
