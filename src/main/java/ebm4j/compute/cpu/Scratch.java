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

    /** The four words of each Philox block of one chunk (PhiloxKernels.words). */
    final int[] w0 = new int[PhiloxKernels.BLOCKS + PADDED];
    final int[] w1 = new int[PhiloxKernels.BLOCKS + PADDED];
    final int[] w2 = new int[PhiloxKernels.BLOCKS + PADDED];
    final int[] w3 = new int[PhiloxKernels.BLOCKS + PADDED];
    /** Normals of one chunk of PhiloxKernels (whole blocks, so up to 3 past the chunk). */
    final float[] normals = new float[PhiloxKernels.CHUNK + PADDED];
    /** Box-Muller inputs of one chunk's pairs (Philox words (0, 1) and (2, 3) of each block), as floats. */
    final float[] mant = new float[PhiloxKernels.PAIRS + PADDED];
    final float[] expo = new float[PhiloxKernels.PAIRS + PADDED];
    final float[] angle = new float[PhiloxKernels.PAIRS + PADDED];
    final float[] quad = new float[PhiloxKernels.PAIRS + PADDED];
    /** radius * cos and radius * sin of each pair. */
    final float[] radiusCos = new float[PhiloxKernels.PAIRS + PADDED];
    final float[] radiusSin = new float[PhiloxKernels.PAIRS + PADDED];
    /** One chunk of x and of grad, copied out of the buffers. */
    final float[] chunkX = new float[PhiloxKernels.CHUNK + PADDED];
    final float[] chunkG = new float[PhiloxKernels.CHUNK + PADDED];
    private float[] floats = new float[0];
    private float[] gemmRows = new float[0];
    private float[] gemmWork = new float[0];

    /** A float array of at least {@code n} elements; contents undefined. */
    float[] floats(int n) {
        if (floats.length < n) {
            floats = new float[n + PADDED];
        }
        return floats;
    }

    /** PackedGemm's staging row (of A, or of B while packing it); contents undefined. */
    float[] gemmRows(int n) {
        if (gemmRows.length < n) {
            gemmRows = new float[n + PADDED];
        }
        return gemmRows;
    }

    /** PackedGemm's output panels before they are copied into C; contents undefined. */
    float[] gemmWork(int n) {
        if (gemmWork.length < n) {
            gemmWork = new float[n + PADDED];
        }
        return gemmWork;
    }

}
