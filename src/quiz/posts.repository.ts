/** @deprecated Moved to ./daily/posts.repository.ts; kept while callers move their imports. */
export type { PostRow } from './daily/posts.repository.js';
