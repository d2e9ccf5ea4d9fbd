// Public API of @tickwise/core.

export * from './schedule/index.js';
