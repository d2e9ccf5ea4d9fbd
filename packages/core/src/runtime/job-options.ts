// Job options live in ../options (types, defaults and checks, shared with the analyzer); the
// runtime's modules import them from here.

export * from '../options/job-options.js';
