// @tickwise/core/testing: helpers for testing code that uses Tickwise, with no real waiting.

export { resetCaches } from '../schedule/bounded-cache.js';
export { VirtualClock } from './virtual-clock.js';
