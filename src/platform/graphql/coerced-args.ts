/**
 * Resolver methods called with their arguments exactly as graphql-js coerced them.
 *
 * Before a method runs, type-graphql copies every input object of its arguments into
 * an instance of the input class, looking each field's type up in its metadata once
 * per object: about a microsecond per record, a millisecond for every 1,000 CDRs of a
 * submitCdrs batch, to build objects the services read as plain data anyway.
 * graphql-js has already checked every argument against the schema (types, non-null,
 * enum values, our scalars' parseValue), so nothing is lost by skipping the copy.
 *
 * `@WithCoercedArgs('a', 'b')` calls the method as `instance.method(context, args.a, args.b)`
 * from a middleware (a CoercedArgsCall), which the schema's container constructs with a
 * way to reach the resolver's instance. type-graphql runs @Authorized's role check
 * before any middleware, so roles still apply. The method's parameters must be `@Ctx()`
 * then those `@Arg`s, in that order (their decorators still declare the field's
 * arguments; checked when the class is declared).
 */
import { getMetadataStorage, UseMiddleware, type MiddlewareInterface, type ResolverData } from 'type-graphql';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ResolverClass = Function;
type ResolverMethod = (context: object, ...args: unknown[]) => unknown;

/** The middleware of one decorated method; the container gives it `instanceOf`. */
export abstract class CoercedArgsCall implements MiddlewareInterface<object> {
  protected abstract readonly target: ResolverClass;
  protected abstract readonly method: string | symbol;
  protected abstract readonly argNames: readonly string[];

  constructor(private readonly instanceOf: (cls: ResolverClass) => object) {}

  async use({ context, args }: ResolverData<object>): Promise<unknown> {
    const instance = this.instanceOf(this.target) as Record<string | symbol, ResolverMethod>;
    return instance[this.method](context, ...this.argNames.map((name) => args[name]));
  }
}

export function WithCoercedArgs(...argNames: string[]): MethodDecorator {
  return (prototype, key, descriptor) => {
    // Parameter decorators run before method decorators: the parameters are known here.
    const params = getMetadataStorage()
      .params.filter((p) => p.target === prototype.constructor && p.methodName === key)
      .sort((a, b) => a.index - b.index);
    const layout = params.map((p) => (p.kind === 'arg' ? `@Arg('${p.name}')` : p.kind === 'context' && !p.propertyName ? '@Ctx()' : `@${p.kind}`));
    const expected = ['@Ctx()', ...argNames.map((n) => `@Arg('${n}')`)];
    if (layout.join(', ') !== expected.join(', ')) {
      throw new Error(`@WithCoercedArgs on ${prototype.constructor.name}.${String(key)}: parameters must be (${expected.join(', ')}), found (${layout.join(', ')})`);
    }
    class Call extends CoercedArgsCall {
      protected readonly target = prototype.constructor;
      protected readonly method = key;
      protected readonly argNames = argNames;
    }
    // type-graphql constructs class middlewares through the schema's container (src/app/resolvers.ts).
    UseMiddleware(Call as unknown as new () => MiddlewareInterface)(prototype, key, descriptor);
  };
}
