/**
 * The contract between OperationGuard and the per-request checks it runs. Kept apart from
 * operation-guard.ts, which imports every check: a check importing this type from there
 * would close an import cycle.
 */
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Principal } from './context';

export interface GuardedOperation {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  principal: Principal;
}

/** A check that needs the caller or the variables; returns the errors that refuse the operation. */
export type OperationCheck = (schema: GraphQLSchema, op: GuardedOperation) => readonly GraphQLError[];
