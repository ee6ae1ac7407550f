import { neverThrow } from '@tracehop/core';
import { print, visit, type ASTNode, type DocumentNode, type OperationDefinitionNode } from 'graphql';

/**
 * The operation `execute` will run: the named one, or the only one. Reads the
 * AST only (no `instanceof`), so it works with whichever copy of graphql the
 * server loaded.
 */
export function findOperation(
  document: DocumentNode | undefined,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  let found: OperationDefinitionNode | undefined;
  for (const definition of document?.definitions ?? []) {
    if (definition.kind !== 'OperationDefinition') continue;
    if (operationName == null) {
      if (found) return undefined; // ambiguous: graphql itself rejects this
      found = definition;
    } else if (definition.name?.value === operationName) {
      return definition;
    }
  }
  return found;
}

const REDACTED = '*';

/** Every literal value becomes `"*"`; variables, fields and enum names stay. */
function redactLiterals(document: DocumentNode): DocumentNode {
  const redacted = (node: ASTNode) => ({ ...node, kind: 'StringValue', value: REDACTED, block: false });
  return visit(document, {
    StringValue: redacted,
    IntValue: redacted,
    FloatValue: redacted,
    BooleanValue: redacted,
  });
}

/** How `graphql.document` is recorded: not at all, printed with its literals redacted, or by the user's function. */
export type DocumentRecording = false | 'redacted' | ((document: DocumentNode) => string);

/** The `graphql.document` value, or `undefined` when not recorded or not printable. */
export function documentAttribute(document: DocumentNode | undefined, recording: DocumentRecording): string | undefined {
  if (!recording || !document) return undefined;
  return neverThrow(serialize, undefined, SERIALIZE_THREW, document, recording);
}

const SERIALIZE_THREW = 'serializing the GraphQL document threw; graphql.document is not recorded';

function serialize(document: DocumentNode, record: Exclude<DocumentRecording, false>): string {
  return record === 'redacted' ? print(redactLiterals(document)) : record(document);
}
