import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TrunkDirection } from './trunk.enums';

/** A trunk of a customer; CDRs may name their customer by an ingress trunk's name. */
@Entity('trunks')
export class TrunkEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('uuid', { name: 'customer_id' })
  customerId!: string;

  @Column('text')
  direction!: TrunkDirection;

  @Column('boolean')
  enabled!: boolean;

  @Column('integer', { name: 'call_limit', nullable: true })
  callLimit!: number | null;

  @Column('integer', { name: 'cps_limit', nullable: true })
  cpsLimit!: number | null;

  @Column('text', { name: 'tech_prefix', nullable: true })
  techPrefix!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
