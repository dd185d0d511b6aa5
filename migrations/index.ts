/** Every migration, in order. New ones are appended here (and never edited once released). */
import { Foundation1732406400000 } from './1732406400000-foundation';

export const MIGRATIONS = [Foundation1732406400000];
