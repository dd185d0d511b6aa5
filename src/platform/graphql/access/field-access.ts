/**
 * Field access per role, decided before anything executes: the operation's selection
 * set (fragments and inline fragments included) is walked and the first field the
 * caller's role may not read refuses the whole operation with FORBIDDEN. So an INGEST
 * submitCdrs that selects a customer's details commits nothing, and a nested path
 * cannot reach what the root operation of the same data would refuse.
 *
 * The decisions are FIELD_ACCESS (field-access.table.ts). Row scoping (a CUSTOMER's own
 * customer only) stays in the services; this layer decides which fields and paths.
 */
import {
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { AppError } from '../../common/errors';
import { Role } from '../role';
import type { OperationCheck } from '../operation-check';
import { FIELD_ACCESS } from './field-access.table';

/** The table's columns, in order. */
export const TABLE_ROLES = [Role.ADMIN, Role.NOC, Role.INGEST, Role.CUSTOMER] as const;
const COLUMN = /^[A-][N-][I-][C-]$/;

/** `Type.field` of every object and interface field of the schema (introspection types aside). */
export function schemaFieldCoordinates(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.keys(type.getFields())) out.push(`${type.name}.${field}`);
  }
  return out.sort();
}

/** Fields of the schema the table does not decide, and lines of the table no field has. */
export function tableCoverage(schema: GraphQLSchema, table: Readonly<Record<string, string>> = FIELD_ACCESS): { missing: string[]; stale: string[] } {
  const fields = new Set(schemaFieldCoordinates(schema));
  return {
    missing: [...fields].filter((f) => !(f in table)),
    stale: Object.keys(table).filter((f) => !fields.has(f)),
  };
}

/** The fields each role may read, from the table; throws when the table and the schema differ. */
export function allowedFieldsByRole(schema: GraphQLSchema, table: Readonly<Record<string, string>> = FIELD_ACCESS): ReadonlyMap<Role, ReadonlySet<string>> {
  const { missing, stale } = tableCoverage(schema, table);
  const malformed = Object.entries(table).filter(([, v]) => !COLUMN.test(v)).map(([k]) => k);
  if (missing.length || stale.length || malformed.length) {
    throw new Error(
      'src/server/access/field-access.table.ts does not match the schema: ' +
        [
          missing.length ? `no decision for ${missing.join(', ')}` : '',
          stale.length ? `no such field: ${stale.join(', ')}` : '',
          malformed.length ? `not an "ANIC" column: ${malformed.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
    );
  }
  const allowed = new Map<Role, Set<string>>(TABLE_ROLES.map((r) => [r, new Set<string>()]));
  for (const [coordinate, columns] of Object.entries(table)) {
    TABLE_ROLES.forEach((role, i) => {
      if (columns[i] !== '-') allowed.get(role)!.add(coordinate);
    });
  }
  return allowed;
}

/** The first field of the operation the role may not read, as `Type.field`; null when all are allowed. */
export function firstRefusedField(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  allowed: ReadonlySet<string>,
): string | null {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return null; // graphql-js answers this one itself
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // A fragment is walked once per type it is spread on: a fragment spread many times
  // (or into itself, which validation refuses anyway) costs one walk.
  const walked = new Set<string>();

  const walk = (parent: GraphQLCompositeType, set: SelectionSetNode): string | null => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        // __typename is harmless; introspection (__schema, __type) is another rule's decision.
        if (name.startsWith('__')) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue; // a union has no fields: validation refuses
        const field = parent.getFields()[name];
        if (!field) continue; // unknown fields are validation errors, not ours
        const coordinate = `${parent.name}.${name}`;
        if (!allowed.has(coordinate)) return coordinate;
        if (sel.selectionSet) {
          const refused = walk(getNamedType(field.type) as GraphQLCompositeType, sel.selectionSet);
          if (refused) return refused;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const on = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        const refused = on && walk(on as GraphQLCompositeType, sel.selectionSet);
        if (refused) return refused;
      } else {
        const fragment = fragments.get(sel.name.value);
        const on = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !on || walked.has(`${fragment.name.value}@${on.name}`)) continue;
        walked.add(`${fragment.name.value}@${on.name}`);
        const refused = walk(on as GraphQLCompositeType, fragment.selectionSet);
        if (refused) return refused;
      }
    }
    return null;
  };
  return walk(root, operation.selectionSet);
}

/**
 * The per-request check. The allowed sets are computed once here (and the table checked
 * against the schema, so a field without a decision stops the server at start); each
 * document's answer is cached per operation and role. Apollo and graphql-ws parse a
 * document once per query text and reuse the DocumentNode, so a hot operation such as
 * submitCdrs is walked once, not on every batch.
 */
export function fieldAccessCheck(schema: GraphQLSchema, table: Readonly<Record<string, string>> = FIELD_ACCESS): OperationCheck {
  const allowed = allowedFieldsByRole(schema, table);
  const none: ReadonlySet<string> = new Set();
  const cache = new WeakMap<DocumentNode, Map<string, string | null>>();
  return (_schema, { document, operationName, principal }) => {
    let answers = cache.get(document);
    if (!answers) cache.set(document, (answers = new Map()));
    const key = `${principal.role}\u0000${operationName ?? ''}`;
    let refused = answers.get(key);
    if (refused === undefined) {
      refused = firstRefusedField(schema, document, operationName, allowed.get(principal.role) ?? none);
      answers.set(key, refused);
    }
    // 403: Apollo answers an error raised before execution with 500 unless told otherwise,
    // and a client must not take a refusal for a server fault (and retry it).
    return refused ? [new AppError('FORBIDDEN', `The ${principal.role} role may not read ${refused}`, { coordinate: refused, http: { status: 403 } })] : [];
  };
}
