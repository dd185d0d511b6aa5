import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { CustomerClassType } from '../customer-class/customer-class.type';
import type { ClassCustomersLoader } from './class-customers.loader';
import { CustomerConnection } from './customer-connection';
import type { CustomerQueryService } from './customer-query.service';

/** CustomerClass.customers: a class's customers are the customer module's to list. */
@Resolver(() => CustomerClassType)
export class ClassCustomersResolver {
  constructor(
    private readonly customerQueries: CustomerQueryService,
    private readonly classCustomers: ClassCustomersLoader,
  ) {}

  @FieldResolver(() => CustomerConnection)
  /** Batched across classes for the first page; ordered by name like the customers list. */
  customers(
    @Ctx() ctx: RequestContext,
    @Root() cls: CustomerClassType,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CustomerConnection> {
    return after
      ? this.customerQueries.list(ctx, { filter: { customerClassId: cls.id }, first, after })
      : this.classCustomers.firstPage(ctx, cls.localId, first);
  }
}
