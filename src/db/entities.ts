/** Every TypeORM entity. Tables themselves are created by migrations only. */
import { ApiKeyEntity } from '../modules/api-key/api-key.entity';

export const ENTITIES: Function[] = [ApiKeyEntity];
