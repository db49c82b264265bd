import type { Migration } from './types.js';
import { initial } from './0001_initial.js';
import { detection } from './0002_detection.js';
import { secondFactor } from './0003_second_factor.js';
import { securityConsole } from './0004_console.js';

/** Every migration, in the order they apply. Add new ones at the end with the next version. */
export const MIGRATIONS: readonly Migration[] = [initial, detection, secondFactor, securityConsole];
