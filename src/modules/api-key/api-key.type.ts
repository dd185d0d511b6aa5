import { Field, ID, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar } from '../../platform/common/scalars';
import type { ApiKeyEntity } from './api-key.entity';
import { Role } from '../../platform/graphql/role';

@ObjectType('ApiKey', { implements: Node })
export class ApiKeyType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  customerLocalId!: string | null;

  @Field()
  name!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the key was revoked; a revoked key is refused.' })
  revokedAt!: Date | null;

  static from(e: ApiKeyEntity): ApiKeyType {
    const t = new ApiKeyType();
    t.id = toGlobalId('ApiKey', e.id);
    t.localId = e.id;
    t.customerLocalId = e.customerId;
    t.name = e.name;
    t.role = e.role;
    t.createdAt = e.createdAt;
    t.lastUsedAt = e.lastUsedAt;
    t.revokedAt = e.revokedAt;
    return t;
  }
}

@ObjectType({ description: 'The secret is shown once, here, and stored only as a hash.' })
export class CreatedApiKey {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field()
  secret!: string;
}

@ObjectType()
export class Principal {
  @Field(() => Role)
  role!: Role;

  customerLocalId!: string | null;
  apiKeyLocalId!: string | null;
}

