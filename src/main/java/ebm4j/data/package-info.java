/**
 * MNIST-format data: the IDX reader, the in-memory {@link ebm4j.data.Dataset}, seeded shuffling and
 * batching, and the fetchers that put verified files on disk ({@link ebm4j.data.MnistFetcher},
 * {@link ebm4j.data.FashionMnist}). Every problem with the user's files is an {@link ebm4j.UserException}
 * whose message names the file, the problem and the fix.
 */
package ebm4j.data;
