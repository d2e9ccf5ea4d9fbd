// @tickwise/redis: the Redis claim store.

export { RedisStore, type RedisStoreOptions } from './redis-store.js';
