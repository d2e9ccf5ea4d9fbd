// @tickwise/postgres: the PostgreSQL claim store and its migration.

export { migrate, migrationSql, SCHEMA_VERSION, type TableNames } from './migration.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
