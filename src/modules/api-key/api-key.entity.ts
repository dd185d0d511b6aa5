import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../platform/graphql/role';

/** An API key; the secret itself is never stored, only its SHA-256. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: Role;

  @Column('uuid', { name: 'customer_id', nullable: true })
  customerId!: string | null;

  @Column('text', { name: 'secret_hash', select: false })
  secretHash!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
