/** The CLI's operator commands build their parts in the composition root, as the server does. */
export { withStores } from '../hush.js';
export type { OperatorParts } from '../hush.js';
