import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { MAX_PAGE_SIZE, pageSize } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import type { CustomerLoader } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import type { ApiKeyService } from './api-key.service';
import { ApiKeyType, CreatedApiKey, Principal } from './api-key.type';
import { Role } from '../../platform/graphql/role';
import { LedgerEntryType } from '../balance/ledger-entry.type';

const API_KEYS_PAGE = { default: MAX_PAGE_SIZE, max: MAX_PAGE_SIZE };

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  constructor(
    private readonly keyService: ApiKeyService,
    private readonly customers: CustomerLoader,
  ) {}

  @Authorized(Role.ADMIN, Role.NOC)
  @Extensions({ listSize: API_KEYS_PAGE })
  @Query(() => [ApiKeyType], {
    description:
      `API keys in creation order (ADMIN and NOC keys; other keys see their own through me.apiKey): the first \`first\` ` +
      `(default and at most ${API_KEYS_PAGE.max}) after the key \`after\` (the id of the last key of the previous page).`,
  })
  apiKeys(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => ID, { nullable: true }) after?: string | null,
  ): Promise<ApiKeyType[]> {
    return this.keyService.list(ctx, pageSize(first, API_KEYS_PAGE), after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreatedApiKey)
  createApiKey(
    @Ctx() ctx: RequestContext,
    @Arg('name') name: string,
    @Arg('role', () => Role) role: Role,
    @Arg('customerId', () => ID, { nullable: true }) customerId?: string | null,
  ): Promise<CreatedApiKey> {
    return this.keyService.create(ctx, name, role, customerId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.keyService.revoke(ctx, id);
  }

  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Ctx() ctx: RequestContext, @Root() key: ApiKeyType): Promise<CustomerType | null> | null {
    return key.customerLocalId ? this.customers.load(ctx, key.customerLocalId) : null;
  }
}

@Resolver(() => Principal)
export class PrincipalResolver {
  constructor(
    private readonly keyService: ApiKeyService,
    private readonly customers: CustomerLoader,
  ) {}

  @Query(() => Principal, { description: 'Who the API key in use is.' })
  me(@Ctx() ctx: RequestContext): Principal {
    const p = new Principal();
    p.role = ctx.principal.role;
    p.customerLocalId = ctx.principal.customerId;
    p.apiKeyLocalId = ctx.principal.apiKeyId;
    return p;
  }

  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Ctx() ctx: RequestContext, @Root() p: Principal): Promise<CustomerType | null> | null {
    return p.customerLocalId ? this.customers.load(ctx, p.customerLocalId) : null;
  }

  @FieldResolver(() => ApiKeyType, { nullable: true })
  apiKey(@Ctx() ctx: RequestContext, @Root() p: Principal): Promise<ApiKeyType | null> | null {
    return p.apiKeyLocalId ? this.keyService.findById(ctx, p.apiKeyLocalId) : null;
  }
}

/** LedgerEntry.actor: the ledger records the key's id, this module knows its name. */
@Resolver(() => LedgerEntryType)
export class LedgerEntryActorResolver {
  constructor(private readonly keyService: ApiKeyService) {}

  @FieldResolver(() => String, { nullable: true, description: 'Name of the API key that made the change; null for CDR charges and automatic changes.' })
  actor(@Ctx() ctx: RequestContext, @Root() entry: LedgerEntryType): Promise<string | null> | null {
    return entry.actorKeyId ? this.keyService.nameOf(ctx, entry.actorKeyId) : null;
  }
}
