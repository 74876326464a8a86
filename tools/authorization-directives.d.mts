import type { DocumentNode } from 'graphql';

export declare function withoutAuthorizationDirectives(typeDefs: DocumentNode): DocumentNode;
