import {
  GraphQLObjectType,
  GraphQLSchema,
  Kind,
  assertValidSchema,
  execute,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isLeafType,
  isNonNullType,
  isObjectType,
  typeFromAST,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLField,
  type GraphQLFieldConfigMap,
  type GraphQLInputType,
  type GraphQLLeafType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';

/**
 * Executes one known document as graphql-js's `execute` would, with the same result and
 * the same errors, but without its general machinery where the document is simple: one
 * root field whose arguments are variables, selecting leaf fields of an object (the
 * service's creation, redemption and revocation). Validated documents only.
 *
 * Only the ordinary case runs here: variables that coerce without a doubt, the root
 * resolver, and leaf values that serialize. Whatever is not ordinary goes to graphql-js:
 * - before the resolver runs (variables graphql-js might refuse or word differently,
 *   arguments, resolvers wrapped by Apollo's tracing): the document's plain `execute`;
 * - after it ran (it threw, or its value is not what the plan expects): `execute` on a
 *   replay schema, whose root resolvers hand back what the real one gave (value or error),
 *   so graphql-js completes, locates and nulls it as it always does, and nothing runs twice.
 */

export type ExecuteKnown = (args: {
  readonly contextValue: unknown;
  readonly variableValues: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
}) => Promise<ExecutionResult>;

interface LeafPlan {
  readonly responseKey: string;
  readonly field: GraphQLField<unknown, unknown>;
  readonly type: GraphQLLeafType;
  readonly nonNull: boolean;
}

/** How a variable's value coerces, decided once from its type (no type checks per request). */
type InputPlan =
  | { readonly kind: 'leaf'; readonly nonNull: boolean; readonly type: GraphQLLeafType }
  | {
      readonly kind: 'object';
      readonly nonNull: boolean;
      readonly fields: readonly { readonly name: string; readonly plan: InputPlan; readonly defaultValue: unknown }[];
      readonly names: ReadonlySet<string>;
    };

/** One argument of the root field, in the schema's order, as graphql-js's getArgumentValues reads it. */
interface ArgumentPlan {
  readonly name: string;
  /** The variable the document passes; null: the document leaves the argument out. */
  readonly variable: string | null;
  readonly defaultValue: unknown;
  readonly nonNull: boolean;
}

interface DirectPlan {
  readonly operation: OperationDefinitionNode;
  readonly parentType: GraphQLObjectType;
  readonly fieldNode: FieldNode;
  readonly field: GraphQLField<unknown, unknown>;
  readonly resolve: NonNullable<GraphQLField<unknown, unknown>['resolve']>;
  readonly variables: readonly { readonly name: string; readonly plan: InputPlan }[];
  readonly arguments: readonly ArgumentPlan[];
  readonly responseKey: string;
  /** Leaf fields of the object the root field returns; null: the root field is itself a leaf. */
  readonly leaves: readonly LeafPlan[] | null;
}

interface Outcome {
  readonly value?: unknown;
  readonly error?: unknown;
}

const NOT_ORDINARY = Symbol('not ordinary');

export function compileKnownOperation(
  schema: GraphQLSchema,
  replay: GraphQLSchema,
  document: DocumentNode,
): ExecuteKnown {
  const plan = directPlan(schema, document);
  const executeByGraphQL: ExecuteKnown = async ({ contextValue, variableValues, operationName }) =>
    execute({ schema, document, contextValue, variableValues, operationName });
  if (plan === null) return executeByGraphQL;

  return async (args) => {
    // Apollo's inline tracing wraps every resolver once a trace is asked for: then the
    // resolvers are no longer the ones planned, and graphql-js runs them as it should.
    if (resolversWrapped(plan)) return executeByGraphQL(args);
    const variables = coerceVariables(plan, args.variableValues);
    if (variables === NOT_ORDINARY) return executeByGraphQL(args);
    const fieldArguments = argumentValues(plan, variables);
    if (fieldArguments === NOT_ORDINARY) return executeByGraphQL(args);

    // What graphql-js's buildResolveInfo gives (@graphql-tools/utils declares more members
    // on the type than graphql-js 16 ever passes).
    const info = {
      fieldName: plan.field.name,
      fieldNodes: [plan.fieldNode],
      returnType: plan.field.type,
      parentType: plan.parentType,
      path: { prev: undefined, key: plan.responseKey, typename: plan.parentType.name },
      schema,
      fragments: {},
      rootValue: undefined,
      operation: plan.operation,
      variableValues: variables,
    } as unknown as GraphQLResolveInfo;
    let outcome: Outcome;
    try {
      outcome = { value: await plan.resolve(undefined, fieldArguments, args.contextValue, info) };
    } catch (error) {
      outcome = { error };
    }
    const completed = 'error' in outcome ? NOT_ORDINARY : complete(plan, outcome.value);
    if (completed === NOT_ORDINARY) {
      const replayed = await execute({
        schema: replay,
        document,
        rootValue: outcome,
        contextValue: args.contextValue,
        variableValues: args.variableValues,
        operationName: args.operationName,
      });
      // The resolver ran: a result without data would tell the caller nothing did, and a
      // caller may then run the operation again. (The variables coerced a moment ago, so
      // graphql-js cannot refuse them now; this only makes sure.)
      return replayed.data === undefined ? { ...replayed, data: null } : replayed;
    }
    // Plain objects where graphql-js makes prototype-less ones: the same JSON, built faster;
    // planning refused the one key ("__proto__") where that would differ.
    return { data: { [plan.responseKey]: completed } };
  };
}

/**
 * The schema graphql-js completes a known operation's outcome with, once its resolver ran:
 * the same types, with root resolvers that return (or throw) the outcome given as root value.
 */
export function replaySchema(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const replaying = (type: GraphQLObjectType | null | undefined) => {
    if (type == null) return type;
    const typeConfig = type.toConfig();
    const fields: GraphQLFieldConfigMap<Outcome, unknown> = {};
    for (const [name, field] of Object.entries(typeConfig.fields)) {
      fields[name] = {
        ...field,
        resolve: (outcome) => {
          if ('error' in outcome) throw outcome.error;
          return outcome.value;
        },
      };
    }
    return new GraphQLObjectType({ ...typeConfig, fields });
  };
  const roots = new Set<unknown>([config.query, config.mutation, config.subscription]);
  const replay = new GraphQLSchema({
    ...config,
    query: replaying(config.query),
    mutation: replaying(config.mutation),
    subscription: replaying(config.subscription),
    types: config.types.filter((type) => !roots.has(type)),
  });
  // Checked now: a replay schema that graphql-js refused would make every replay an error.
  assertValidSchema(replay);
  return replay;
}

function resolversWrapped(plan: DirectPlan): boolean {
  if (plan.field.resolve !== plan.resolve) return true;
  for (const leaf of plan.leaves ?? []) if (leaf.field.resolve !== undefined) return true;
  return false;
}

/** The plan for a document of the simple shape, else null (graphql-js runs it whole). */
function directPlan(schema: GraphQLSchema, document: DocumentNode): DirectPlan | null {
  if (document.definitions.length !== 1) return null;
  const [operation] = document.definitions;
  if (operation?.kind !== Kind.OPERATION_DEFINITION || operation.directives?.length) return null;
  const parentType = schema.getRootType(operation.operation);
  const [fieldNode, ...others] = operation.selectionSet.selections;
  if (parentType == null || others.length > 0 || fieldNode?.kind !== Kind.FIELD || fieldNode.directives?.length)
    return null;
  const field = parentType.getFields()[fieldNode.name.value];
  if (field?.resolve === undefined || responseKey(fieldNode) === '__proto__') return null;
  const argumentPlans = argumentPlan(field, fieldNode);
  const variables = plainVariables(schema, operation.variableDefinitions ?? []);
  const leaves = leafPlans(field.type, fieldNode);
  if (argumentPlans === null || variables === null || leaves === undefined) return null;
  return {
    operation,
    parentType,
    fieldNode,
    field,
    resolve: field.resolve,
    variables,
    arguments: argumentPlans,
    responseKey: responseKey(fieldNode),
    leaves,
  };
}

/** Arguments given as variables or not at all; null for literals (left to graphql-js). */
function argumentPlan(field: GraphQLField<unknown, unknown>, fieldNode: FieldNode): ArgumentPlan[] | null {
  const nodes = fieldNode.arguments ?? [];
  if (
    nodes.some((node) => node.value.kind !== Kind.VARIABLE || field.args.every((arg) => arg.name !== node.name.value))
  )
    return null;
  return field.args.map((arg) => {
    const value = nodes.find((node) => node.name.value === arg.name)?.value;
    return {
      name: arg.name,
      variable: value?.kind === Kind.VARIABLE ? value.name.value : null,
      defaultValue: arg.defaultValue,
      nonNull: isNonNullType(arg.type),
    };
  });
}

/** Variables without defaults or directives, of scalar types or input objects of scalars. */
function plainVariables(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[]) {
  const variables: { name: string; plan: InputPlan }[] = [];
  for (const definition of definitions) {
    if (definition.defaultValue !== undefined || definition.directives?.length) return null;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const plan = type === undefined ? null : inputPlan(type, true);
    if (plan === null) return null;
    variables.push({ name: definition.variable.name.value, plan });
  }
  return variables;
}

/** A leaf, or (at the top) an input object of leaves; null for anything else. */
function inputPlan(type: GraphQLInputType, objectAllowed: boolean): InputPlan | null {
  const nonNull = isNonNullType(type);
  const nullable = getNullableType(type);
  if (isLeafType(nullable)) return { kind: 'leaf', nonNull, type: nullable };
  if (!objectAllowed || !isInputObjectType(nullable) || nullable.isOneOf) return null;
  const fields = [];
  for (const field of Object.values(nullable.getFields())) {
    const plan = inputPlan(field.type, false);
    if (plan === null) return null;
    fields.push({ name: field.name, plan, defaultValue: field.defaultValue });
  }
  return { kind: 'object', nonNull, fields, names: new Set(fields.map((field) => field.name)) };
}

/** null: a leaf root field; undefined: not a simple shape. */
function leafPlans(type: GraphQLOutputType, fieldNode: FieldNode): LeafPlan[] | null | undefined {
  const named = getNamedType(type);
  if (isLeafType(getNullableType(type))) return fieldNode.selectionSet === undefined ? null : undefined;
  if (!isObjectType(getNullableType(type)) || !isObjectType(named) || named.isTypeOf !== undefined) return undefined;
  const leaves: LeafPlan[] = [];
  const keys = new Set<string>();
  for (const selection of fieldNode.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length || selection.arguments?.length) return undefined;
    const field = named.getFields()[selection.name.value];
    const key = responseKey(selection);
    if (field === undefined || field.resolve !== undefined || keys.has(key) || key === '__proto__') return undefined;
    const leafType = getNullableType(field.type);
    if (!isLeafType(leafType)) return undefined;
    keys.add(key);
    leaves.push({ responseKey: key, field, type: leafType, nonNull: isNonNullType(field.type) });
  }
  return leaves.length > 0 ? leaves : undefined;
}

/**
 * graphql-js's variable coercion for values that coerce without a doubt; NOT_ORDINARY for
 * anything else (missing, null where not allowed, unknown fields, a parseValue that
 * throws or gives undefined), which graphql-js then refuses in its own words.
 */
function coerceVariables(
  plan: DirectPlan,
  inputs: Record<string, unknown> | undefined,
): Record<string, unknown> | typeof NOT_ORDINARY {
  const coerced = Object.create(null) as Record<string, unknown>;
  for (const { name, plan: input } of plan.variables) {
    if (inputs === undefined || !Object.hasOwn(inputs, name)) {
      if (input.nonNull) return NOT_ORDINARY;
      continue;
    }
    const value = coerceInput(input, inputs[name]);
    if (value === NOT_ORDINARY) return NOT_ORDINARY;
    coerced[name] = value;
  }
  return coerced;
}

function coerceInput(plan: InputPlan, value: unknown): unknown {
  if (value == null) return plan.nonNull ? NOT_ORDINARY : null;
  if (plan.kind === 'leaf') {
    try {
      const parsed: unknown = plan.type.parseValue(value);
      return parsed === undefined ? NOT_ORDINARY : parsed;
    } catch {
      return NOT_ORDINARY;
    }
  }
  if (typeof value !== 'object' || Array.isArray(value)) return NOT_ORDINARY;
  const given = value as Record<string, unknown>;
  for (const key in given) if (!plan.names.has(key)) return NOT_ORDINARY;
  const coerced: Record<string, unknown> = {};
  for (const field of plan.fields) {
    const fieldValue = given[field.name];
    if (fieldValue === undefined) {
      if (field.defaultValue !== undefined) coerced[field.name] = field.defaultValue;
      else if (field.plan.nonNull) return NOT_ORDINARY;
      continue;
    }
    const fieldCoerced = coerceInput(field.plan, fieldValue);
    if (fieldCoerced === NOT_ORDINARY) return NOT_ORDINARY;
    coerced[field.name] = fieldCoerced;
  }
  return coerced;
}

/** graphql-js's getArgumentValues for arguments given as variables; NOT_ORDINARY where it throws. */
function argumentValues(
  plan: DirectPlan,
  variables: Record<string, unknown>,
): Record<string, unknown> | typeof NOT_ORDINARY {
  const values: Record<string, unknown> = {};
  for (const argument of plan.arguments) {
    if (argument.variable === null || !Object.hasOwn(variables, argument.variable)) {
      if (argument.defaultValue !== undefined) values[argument.name] = argument.defaultValue;
      else if (argument.nonNull) return NOT_ORDINARY;
      continue;
    }
    const value = variables[argument.variable];
    if (value == null && argument.nonNull) return NOT_ORDINARY;
    values[argument.name] = value;
  }
  return values;
}

/** graphql-js's completion of the ordinary value; NOT_ORDINARY for graphql-js to complete. */
function complete(plan: DirectPlan, value: unknown): unknown {
  if (plan.leaves === null) {
    return completeLeaf(getNullableType(plan.field.type) as GraphQLLeafType, isNonNullType(plan.field.type), value);
  }
  if (typeof value !== 'object' || value === null || value instanceof Error) return NOT_ORDINARY;
  const source = value as Record<string, unknown>;
  const completed: Record<string, unknown> = {};
  for (const leaf of plan.leaves) {
    const serialized = completeLeaf(leaf.type, leaf.nonNull, source[leaf.field.name]);
    if (serialized === NOT_ORDINARY) return NOT_ORDINARY;
    completed[leaf.responseKey] = serialized;
  }
  return completed;
}

function completeLeaf(type: GraphQLLeafType, nonNull: boolean, value: unknown): unknown {
  if (value == null) return nonNull ? NOT_ORDINARY : null;
  if (typeof value === 'function' || value instanceof Error || isThenable(value)) return NOT_ORDINARY;
  try {
    const serialized: unknown = type.serialize(value);
    return serialized == null ? NOT_ORDINARY : serialized;
  } catch {
    return NOT_ORDINARY;
  }
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}
