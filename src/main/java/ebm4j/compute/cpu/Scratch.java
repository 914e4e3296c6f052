package ebm4j.compute.cpu;

/**
 * Per-part scratch space, so the hot loops allocate nothing. Part {@code p} of an op uses
 * {@code scratch[p]} only, and parts of one op never share an index.
 *
 * <p>The Philox arrays are written for every 4 elements; they are over-allocated so that the
 * used head of one part's array never shares a 64-byte cache line with another part's (arrays
 * allocated one after another sit next to each other in the heap, and two cores writing one line
 * would pass it back and forth on every block).
 */
final class Scratch {
    /** Elements allocated per 4 used: 128 bytes of padding after the used head. */
    private static final int PADDED = 4 + 32;

    /** One Philox block: words[0..4). */
    final int[] words = new int[PADDED];
    /** The 4 normals of one Philox block: normals[0..4). */
    final float[] normals = new float[PADDED];
    private float[] floats = new float[0];

    /** A float array of at least {@code n} elements; contents undefined. */
    float[] floats(int n) {
        if (floats.length < n) {
            floats = new float[n + PADDED];
        }
        return floats;
    }
}
