import { registerEnumType } from 'type-graphql';

export enum TrunkDirection {
  INGRESS = 'INGRESS',
  EGRESS = 'EGRESS',
}

registerEnumType(TrunkDirection, { name: 'TrunkDirection' });
