import 'reflect-metadata';
import { Arg, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import { WithCoercedArgs } from './coerced-args';

describe('WithCoercedArgs', () => {
  it('refuses, when the class is declared, a method whose parameters are not @Ctx() then the named @Args', () => {
    expect(() => {
      @Resolver()
      class WrongOrder {
        @Mutation(() => Int)
        @WithCoercedArgs('n')
        f(@Arg('n', () => Int) n: number, @Ctx() _ctx: object): number {
          return n;
        }
      }
      return WrongOrder;
    }).toThrow("@WithCoercedArgs on WrongOrder.f: parameters must be (@Ctx(), @Arg('n')), found (@Arg('n'), @Ctx())");
    expect(() => {
      @Resolver()
      class MissingArg {
        @Mutation(() => Int)
        @WithCoercedArgs('n', 'm')
        f(@Ctx() _ctx: object, @Arg('n', () => Int) n: number): number {
          return n;
        }
      }
      return MissingArg;
    }).toThrow(/parameters must be \(@Ctx\(\), @Arg\('n'\), @Arg\('m'\)\)/);
  });
});
