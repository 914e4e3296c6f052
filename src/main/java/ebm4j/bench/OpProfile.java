package ebm4j.bench;

import ebm4j.compute.Backend;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Time per backend op: a {@link Backend} that forwards every call to the real one and, for the
 * compute ops, waits for the backend after the call and adds the elapsed time to the op's total
 * (GEMMs are kept apart by shape). Waiting after each op costs a GPU its overlap of launches, so
 * the totals show where device time goes rather than what a pipelined run takes; on the CPU every
 * op is synchronous anyway and the totals add up to the run's time.
 *
 * <p>A dynamic proxy rather than a hand-written decorator, so an op added to {@code Backend}
 * later is profiled without a change here.
 */
public final class OpProfile {
    /** Calls that do no compute work of their own: forwarded without timing. */
    private static final Set<String> UNTIMED = Set.of("name", "describe", "alloc", "allocInt", "upload",
            "uploadInt", "download", "downloadInt", "repeatable", "synchronize", "timer", "close", "equals",
            "hashCode", "toString");

    /** One op's calls and time; {@code flops} counts multiply-adds twice (GEMMs only, else 0). */
    public record Entry(String op, double calls, double millis, double flops) {
        /** The same figures per {@code n} units of work (e.g. per Langevin step). */
        public Entry per(double n) {
            return new Entry(op, calls / n, millis / n, flops / n);
        }

        /** GFLOP/s, or NaN for ops that are not counted. */
        public double gflopsPerSecond() {
            return flops > 0 && millis > 0 ? flops / millis / 1e6 : Double.NaN;
        }
    }

    private final Backend target;
    private final Map<String, long[]> nanosAndCalls = new LinkedHashMap<>();
    private final Map<String, Double> flops = new LinkedHashMap<>();
    private final Backend proxy;

    public OpProfile(Backend target) {
        this.target = target;
        InvocationHandler handler = this::invoke;
        this.proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                handler);
    }

    /** The profiling backend: use it in place of the real one. */
    public Backend backend() {
        return proxy;
    }

    /** Forgets everything recorded so far (e.g. after a warm-up). */
    public void reset() {
        nanosAndCalls.clear();
        flops.clear();
    }

    /** The ops in order of first use. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        nanosAndCalls.forEach((op, v) -> out.add(new Entry(op, v[1], v[0] / 1e6, flops.getOrDefault(op, 0.0))));
        return out;
    }

    private Object invoke(Object self, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (UNTIMED.contains(name) || method.isDefault()) {
            return call(method, args);
        }
        String key = name;
        if (name.equals("gemm")) {
            boolean ta = (Boolean) args[0], tb = (Boolean) args[1];
            int m = (Integer) args[2], n = (Integer) args[3], k = (Integer) args[4];
            key = "gemm " + m + "x" + n + "x" + k + " " + (ta ? "T" : "N") + (tb ? "T" : "N");
            flops.merge(key, 2.0 * m * n * k, Double::sum);
        }
        long t0 = System.nanoTime();
        Object result = call(method, args);
        target.synchronize();
        long t = System.nanoTime() - t0;
        long[] v = nanosAndCalls.computeIfAbsent(key, k -> new long[2]);
        v[0] += t;
        v[1]++;
        return result;
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
