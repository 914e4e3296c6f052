package ebm4j.compute.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The weight packs of {@link PackedGemm}, per allocation and per view (offset, stride,
 * orientation, shape). A pack is valid while its allocation's {@link CpuBuf#version()} is the
 * one it was packed from; every op that writes a buffer bumps that version, so a pack is never
 * used after its weights changed. Allocations are held weakly, and each keeps at most
 * {@link #PER_ALLOCATION} packs (the model has two per layer: forward and backward).
 * Used only by the thread that submits ops.
 */
final class PackCache {
    static final int PER_ALLOCATION = 16;

    private record Key(int base, int ld, boolean trans, int k, int n) {}

    private record Entry(Key key, PackedGemm.PackedB pack) {}

    private final Map<Object, List<Entry>> byAllocation = new WeakHashMap<>();

    /** The pack for op(B) of this view, new (version -1, empty) when there was none. */
    PackedGemm.PackedB get(CpuBuf b, boolean trans, int ld, int k, int n) {
        List<Entry> entries = byAllocation.computeIfAbsent(b.memory(), m -> new ArrayList<>());
        Key key = new Key(b.base(), ld, trans, k, n);
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.key().equals(key)) {
                if (i > 0) {
                    entries.remove(i);
                    entries.add(0, e);
                }
                return e.pack();
            }
        }
        PackedGemm.PackedB pack = new PackedGemm.PackedB(k, n);
        entries.add(0, new Entry(key, pack));
        if (entries.size() > PER_ALLOCATION) {
            entries.remove(entries.size() - 1);
        }
        return pack;
    }
}
