package ebm4j.cli;

import ebm4j.Json;
import ebm4j.train.RunComparison;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ebm4j compare}: reads the runs with {@link RunComparison} and prints its table or JSON. */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Compare runs side by side.",
        description = "One table of the runs' config keys whose values differ, their last epoch in metrics.jsonl "
                + "(epochs done, test accuracy, ECE, energies, images/s, training time) and their evaluation figures "
                + "(RUN/eval/eval.json when present: AUROCs, judge accuracies and confidences, Fréchet distances), "
                + "one column per run.")
public final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run folders, or checkpoints inside them.")
    List<Path> runs;

    @Option(names = "--json", description = "Print one JSON object (runs, then config, metrics and eval: each key's "
            + "values in the order of the runs) and nothing else.")
    boolean json;

    @Override
    public Integer call() {
        RunComparison c = RunComparison.of(runs);
        String text = json ? Json.writePretty(c.toJson()) + "\n" : c.toText();
        spec.commandLine().getOut().print(text);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
