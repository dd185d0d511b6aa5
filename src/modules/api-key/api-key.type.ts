import { Field, ID, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar } from '../../platform/common/scalars';
import { Role } from '../../platform/graphql/role';

/** An api_keys row as KEY_COLUMNS selects it (`FROM api_keys k`); the secret is never stored, only its SHA-256. */
export interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  customer_id: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export const KEY_COLUMNS = 'k.id, k.name, k.role, k.customer_id, k.created_at, k.last_used_at, k.revoked_at';

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

  static from(r: ApiKeyRow): ApiKeyType {
    const t = new ApiKeyType();
    t.id = toGlobalId('ApiKey', r.id);
    t.localId = r.id;
    t.customerLocalId = r.customer_id;
    t.name = r.name;
    t.role = r.role;
    t.createdAt = r.created_at;
    t.lastUsedAt = r.last_used_at;
    t.revokedAt = r.revoked_at;
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

