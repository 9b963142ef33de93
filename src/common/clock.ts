import { Injectable } from '@nestjs/common';

/** The time, behind a class so tests can fake it (deadlines, expiries). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
