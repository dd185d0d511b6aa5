import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateTimeScalar } from '../../platform/common/scalars';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import type { CustomerLoader } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import { AlertIncidentFilter } from './alert.inputs';
import { MAX_NOTES, type AlertIncidentService } from './alert-incident.service';
import type { AlertLoader } from './alert.loader';
import { AlertDefinitionType, AlertEventConnection, AlertEventType, AlertIncidentConnection, AlertIncidentType, IncidentNoteType } from './alert.types';

@Resolver(() => AlertIncidentType)
export class AlertIncidentResolver {
  constructor(
    private readonly incidents: AlertIncidentService,
    private readonly alerts: AlertLoader,
    private readonly customers: CustomerLoader,
  ) {}

  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => AlertIncidentConnection, { description: 'ADMIN, NOC. OPEN first, then ACKNOWLEDGED, then RESOLVED; newest first within each.' })
  alertIncidents(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => AlertIncidentFilter, { nullable: true }) filter?: AlertIncidentFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AlertIncidentConnection> {
    return this.incidents.list(ctx, filter, { first, after });
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => AlertIncidentType, { nullable: true })
  alertIncident(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<AlertIncidentType | null> {
    return this.incidents.get(ctx, id);
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Mutation(() => AlertIncidentType, { description: 'ADMIN, NOC. Stops REPEATED notifications; the incident stays until its rule resolves.' })
  acknowledgeIncident(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
  ): Promise<AlertIncidentType> {
    return this.incidents.acknowledge(ctx, id, note);
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Mutation(() => AlertIncidentType, { description: 'ADMIN, NOC. Null assignee unassigns.' })
  assignIncident(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('assignee', () => String, { nullable: true }) assignee?: string | null,
  ): Promise<AlertIncidentType> {
    return this.incidents.assign(ctx, id, assignee);
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Mutation(() => AlertIncidentType, { description: 'ADMIN, NOC. Holds REPEATED notifications until `until` (in the future, at most 7 days ahead).' })
  snoozeIncident(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('until', () => DateTimeScalar) until: Date,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
  ): Promise<AlertIncidentType> {
    return this.incidents.snooze(ctx, id, until, note);
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Mutation(() => AlertIncidentType, { description: 'ADMIN, NOC.' })
  commentOnIncident(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('text', () => String) text: string): Promise<AlertIncidentType> {
    return this.incidents.comment(ctx, id, text);
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Mutation(() => CustomerType, { description: 'ADMIN, NOC. Ends a penalty now: the customer is ACTIVE again; recorded with the note.' })
  liftPenalty(
    @Ctx() ctx: RequestContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
  ): Promise<CustomerType> {
    return this.incidents.liftPenalty(ctx, customerId, note);
  }

  @FieldResolver(() => AlertDefinitionType)
  definition(@Ctx() ctx: RequestContext, @Root() i: AlertIncidentType): Promise<AlertDefinitionType> {
    return this.alerts.getDefinition(ctx, i.definitionLocalId);
  }

  @FieldResolver(() => CustomerType)
  customer(@Ctx() ctx: RequestContext, @Root() i: AlertIncidentType): Promise<CustomerType> {
    return this.customers.get(ctx, i.customerLocalId);
  }

  @Extensions({ listSize: { max: MAX_NOTES } })
  @FieldResolver(() => [IncidentNoteType], { description: `Oldest first; the newest ${MAX_NOTES} when there are more.` })
  notes(@Ctx() ctx: RequestContext, @Root() i: AlertIncidentType): Promise<IncidentNoteType[]> {
    return this.incidents.notes(ctx, i.localId);
  }

  @FieldResolver(() => AlertEventConnection, { description: "This incident's events, oldest first." })
  events(
    @Ctx() ctx: RequestContext,
    @Root() i: AlertIncidentType,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AlertEventConnection> {
    return this.incidents.events(ctx, i.localId, { first, after });
  }
}

@Resolver(() => AlertEventType)
export class AlertEventIncidentResolver {
  constructor(private readonly incidents: AlertIncidentService) {}

  @FieldResolver(() => AlertIncidentType, { nullable: true, description: 'The incident this event belongs to (null for test events).' })
  async incident(@Ctx() ctx: RequestContext, @Root() e: AlertEventType): Promise<AlertIncidentType | null> {
    if (e.incidentLocalId === null) return null;
    return ctx.loader<string, AlertIncidentType | null>('incidentsById', (ids) => this.incidents.byIds(ctx, ids)).load(e.incidentLocalId);
  }
}
