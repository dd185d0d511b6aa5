/** Every TypeORM entity. Tables themselves are created by migrations only. */
import { ApiKeyEntity } from '../modules/api-key/api-key.entity';
import { CustomerEntity } from '../modules/customer/customer.entity';

export const ENTITIES: Function[] = [ApiKeyEntity, CustomerEntity];
