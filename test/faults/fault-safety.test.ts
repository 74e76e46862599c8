/** Judged by 2, 3, 4 (and the HPA handling of scale), against the lab and real kube-apiservers. */
import { safetyCases } from './cases/safety-cases.js';
import { describeForEachServer } from './support/servers.js';

describeForEachServer(
  (label) => `fault safety against ${label}`,
  (live, factory) => safetyCases(live, { hpa: factory.servesHpa }),
);
