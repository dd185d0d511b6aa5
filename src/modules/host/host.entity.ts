import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A signalling address of a trunk: one IP or a CIDR block (Postgres `cidr`, GiST
 * inet_ops indexed). Read through SQL in HostQueries, which also joins the trunk's
 * customer and renders single addresses without their /32 or /128.
 */
@Entity('hosts')
export class HostEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('cidr')
  ip!: string;

  @Column('integer', { nullable: true })
  port!: number | null;

  @Column('uuid', { name: 'trunk_id' })
  trunkId!: string;

  @Column('boolean')
  enabled!: boolean;

  @Column('integer', { name: 'call_limit', nullable: true })
  callLimit!: number | null;

  @Column('integer', { name: 'cps_limit', nullable: true })
  cpsLimit!: number | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
