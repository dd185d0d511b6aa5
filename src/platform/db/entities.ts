/** Every TypeORM entity, from the modules. Tables themselves are created by migrations only. */
import { MODULES } from '../../app/modules';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const ENTITIES: Function[] = MODULES.flatMap((m) => m.entities ?? []);
