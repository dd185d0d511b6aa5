import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { SettingsInput } from './settings.inputs';
import type { SettingsService } from './settings.service';
import { SettingsType } from './settings.type';

/** Operator configuration: ADMIN and NOC read it (recipients included), only ADMIN changes it. */
@Resolver(() => SettingsType)
export class SettingsResolver {
  constructor(private readonly service: SettingsService) {}

  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => SettingsType, { description: 'ADMIN, NOC.' })
  settings(@Ctx() ctx: RequestContext): Promise<SettingsType> {
    return this.service.get(ctx);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SettingsType, { description: 'ADMIN.' })
  updateSettings(@Ctx() ctx: RequestContext, @Arg('input') input: SettingsInput): Promise<SettingsType> {
    return this.service.update(ctx, input);
  }
}
