import type { AnswersRepository } from './answers.repository.js';
import type { PostsRepository } from './posts.repository.js';

/** What the answer recorder reads and writes in one place: posts by id, and the answers to them. */
export function createRecorderStore(posts: PostsRepository, answers: AnswersRepository) {
  return {
    getPosts: posts.getPosts,
    findAnswers: answers.findAnswers,
    insertAnswers: answers.insertAnswers,
    groupContext: answers.groupContext,
  };
}
