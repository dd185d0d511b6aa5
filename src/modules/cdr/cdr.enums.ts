import { registerEnumType } from 'type-graphql';

export enum CallDisposition {
  ANSWERED = 'ANSWERED',
  NO_ANSWER = 'NO_ANSWER',
  BUSY = 'BUSY',
  FAILED = 'FAILED',
}

registerEnumType(CallDisposition, { name: 'CallDisposition' });
