// @tickwise/core/testing: helpers for testing code that uses Tickwise, with no real waiting.

export { VirtualClock } from './virtual-clock.js';
