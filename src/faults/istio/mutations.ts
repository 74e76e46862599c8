/** What the Istio kind records before it changes anything (journal and annotations). */
import type { IstioConvergence } from '../../environment/types.js';
import type { MutationBase } from '../mutation-base.js';

/** Routes of ours inserted at the head of an existing VirtualService. */
export interface RouteInsertMutation extends MutationBase {
  kind: 'route-insert';
  namespace: string;
  virtualService: string;
  routes: string[];
  /** Digest of the spec without our routes when we inserted them; absent when rebuilt from annotations. */
  baseline?: string;
  /** How the revert learns the data plane dropped our routes; absent (rebuilt from annotations) = settle default. */
  convergence?: IstioConvergence;
}

/** A VirtualService we created because none routed the host. */
export interface VirtualServiceCreateMutation extends MutationBase {
  kind: 'virtualservice-create';
  namespace: string;
  virtualService: string;
  routes: string[];
  convergence?: IstioConvergence;
}

/** Every mutation the Istio kind records. */
export type IstioMutation = RouteInsertMutation | VirtualServiceCreateMutation;
