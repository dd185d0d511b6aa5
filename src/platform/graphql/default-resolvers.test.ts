import 'reflect-metadata';
import { graphql, type GraphQLObjectType } from 'graphql';
import { Authorized, buildSchema, Field, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { useDefaultResolvers } from './default-resolvers';

@ObjectType()
class Item {
  @Field()
  name!: string;

  @Authorized('ADMIN')
  @Field()
  secret!: string;

  @Field()
  get shout(): string {
    return this.name.toUpperCase();
  }
}

@Resolver(() => Item)
class ItemResolver {
  @Query(() => [Item])
  items(): Item[] {
    return [Object.assign(new Item(), { name: 'a', secret: 's' })];
  }

  @FieldResolver(() => String)
  label(@Root() item: Item): string {
    return `#${item.name}`;
  }
}

describe('useDefaultResolvers', () => {
  it('gives plain fields the default resolver and keeps guarded and resolved fields on their own', async () => {
    const roles: string[] = [];
    const schema = await buildSchema({
      resolvers: [ItemResolver],
      authChecker: (_data, r) => {
        roles.push(...r);
        return false;
      },
      validate: false,
    });
    expect(useDefaultResolvers(schema)).toBe(1);
    const fields = (schema.getType('Item') as GraphQLObjectType).getFields();
    expect(fields.name.resolve).toBeUndefined();
    expect(fields.secret.resolve).toBeDefined();
    expect(fields.shout.resolve).toBeDefined();
    expect(fields.label.resolve).toBeDefined();
    const result = await graphql({ schema, source: '{ items { name shout label secret } }' });
    expect(result.data).toBeNull();
    expect(roles).toEqual(['ADMIN']);
    const plain = await graphql({ schema, source: '{ items { name shout label } }' });
    expect(plain).toEqual({ data: { items: [{ name: 'a', shout: 'A', label: '#a' }] } });
  });
});
