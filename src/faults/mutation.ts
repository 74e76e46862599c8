/**
 * Mutations of every kind, for the floors above faults/: the union (derived from the registry),
 * one line naming each, and the identity of the object it touched. A kind's own records are in its
 * folder (`<kind>/mutations.ts`), the shared base in mutation-base.ts.
 */
import { mutationHandlerFor, type Mutation } from './registry.js';

export type { Mutation, MutationKind } from './registry.js';
export { isSettled, type RevertOutcome } from './mutation-base.js';
export type { ScaleMutation } from './scale/mutations.js';

/** One line naming the object, for reports: `scale Deployment bank-of-anthos/frontend 2 → 0 in central`. */
export function describeMutation(mutation: Mutation): string {
  return mutationHandlerFor(mutation).describe(mutation);
}

/** Identity of the object a mutation touched: two records with one key undo the same thing. */
export function mutationKey(mutation: Mutation): string {
  return mutationHandlerFor(mutation).key(mutation);
}
