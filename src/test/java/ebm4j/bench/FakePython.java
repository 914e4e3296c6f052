package ebm4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A stand-in for a Python interpreter with PyTorch: a shell script that records the arguments it
 * was given (one per line in {@code args.txt} beside it) and prints the reference's output lines,
 * so the wiring to torch_ebm.py is tested without PyTorch.
 */
public final class FakePython {
    public final Path interpreter;
    private final Path args;

    private FakePython(Path interpreter, Path args) {
        this.interpreter = interpreter;
        this.args = args;
    }

    /** An interpreter that succeeds (exit 0, RESULT lines) or fails (exit 1 after one line). */
    public static FakePython in(Path dir, boolean succeed) throws IOException {
        Path exe = dir.resolve("fake-python");
        Path args = dir.resolve("args.txt");
        String body = succeed
                ? "echo 'torch 9.9.9 threads=4'\n"
                + "echo 'RESULT s_per_batch_median=0.5'\necho 'RESULT s_per_batch_min=0.25'\n"
                + "echo 'RESULT train_images_per_s=128'\necho 'RESULT ms_per_langevin_step_median=2'\n"
                + "echo 'RESULT infer_images_per_s_min=900'\necho 'RESULT infer_images_per_s_median=1000'\n"
                + "echo 'RESULT infer_images_per_s_max=1100'\nexit 0\n"
                : "echo 'RuntimeError: CUDA error: no kernel image is available'\nexit 1\n";
        Files.writeString(exe, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + args + "'\n" + body,
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new FakePython(exe, args);
    }

    /** The arguments of the last run, the script path first. */
    public List<String> arguments() throws IOException {
        return Files.readAllLines(args, StandardCharsets.UTF_8);
    }

    /** The value that followed {@code flag}, or null. */
    public String value(String flag) throws IOException {
        List<String> a = arguments();
        int i = a.indexOf(flag);
        return i < 0 || i + 1 >= a.size() ? null : a.get(i + 1);
    }
}
