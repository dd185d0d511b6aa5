import { Field, ID, InterfaceType } from 'type-graphql';
import { typeOfGlobalId } from './global-id';

/** Relay's Node: every object with a global id, resolvable through `node(id)`. */
@InterfaceType({
  resolveType: (value: { id: string }) => typeOfGlobalId(value.id),
})
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
