import { InputError } from '../errors/errors.js';
import type { Environment } from './types.js';

/**
 * The context guard: before anything touches an environment other than the lab, every
 * context it would mutate must be on the environment's allow-list, or the user says --yes.
 */
export function assertMayMutate(environment: Environment, confirmed: boolean): void {
  if (environment.builtIn || confirmed) return;
  const refused = environment.clusters.filter((cluster) => !environment.allowContexts.includes(cluster.context));
  if (refused.length === 0) return;
  const names = refused.map((cluster) => `${cluster.name} (context ${cluster.context})`).join(', ');
  throw new InputError(
    `refusing to touch ${names}: not on the allow-list of environment "${environment.name}" (${environment.file})`,
    [],
    'add the context to allowContexts in the environment file, or pass --yes if you mean it; `chaos plan` shows what would change',
  );
}
