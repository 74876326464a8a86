import { GraphQLError, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Bounds on what one request may ask for, checked before anything executes. There is no
 * depth limit because this schema has no recursive types: its deepest valid selection is
 * two levels, and validation rejects anything deeper.
 */
export const QUERY_LIMITS = {
  /** Tokens in a document: graphql-js stops parsing past this (a parse error). */
  maxTokens: 2_000,
  /**
   * Aliased fields in one document. Aliases run one field many times, so without a
   * bound a single request could create hundreds of links or try hundreds of tokens.
   */
  maxAliases: 15,
} as const;

export function aliasLimit(maxAliases: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(field) {
        if (field.alias !== undefined && ++aliases === maxAliases + 1) {
          context.reportError(
            new GraphQLError(`The document uses more than ${maxAliases} aliases.`, { nodes: [field] }),
          );
        }
      },
    };
  };
}
