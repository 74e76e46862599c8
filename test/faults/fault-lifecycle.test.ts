/** Judged by 1, against the lab and against real kube-apiservers (same cases). */
import { lifecycleCases } from './cases/lifecycle-cases.js';
import { describeForEachServer } from './support/servers.js';

describeForEachServer(
  (label) => `fault lifecycle against ${label}`,
  (live) => lifecycleCases(live),
);
