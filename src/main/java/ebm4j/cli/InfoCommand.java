package ebm4j.cli;

import ebm4j.compute.cpu.CpuBackend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ebm4j info}: what this machine offers ebm4j. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Version.class,
        header = "Show the JVM, CPU, BLAS and GPU status.")
public final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Runtime rt = Runtime.getRuntime();
        System.out.printf("java     %s (%s), max heap %d MiB%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), rt.maxMemory() >> 20);
        System.out.printf("os       %s %s, %d cores%n", System.getProperty("os.name"), System.getProperty("os.arch"),
                rt.availableProcessors());
        try (CpuBackend cpu = new CpuBackend()) {
            System.out.println("backend  " + cpu.describe());
        }
        String why = GpuSupport.unavailableReason();
        System.out.println("backend  " + (why == null ? GpuSupport.describe() : "cuda: unavailable: " + why));
        return 0;
    }
}
