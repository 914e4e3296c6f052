package ebm4j.train;

import ebm4j.UserException;
import ebm4j.compute.Counters;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.model.Checkpoint;
import ebm4j.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a training run writes, decided before anything is written:
 * <ul>
 *   <li>a new run gets a new (or empty) folder;</li>
 *   <li>resuming the newest checkpoint of a run, into that run's own folder, continues it;</li>
 *   <li>resuming any other checkpoint (an older one, a loose one), or asking for another folder
 *       with {@code --name} or {@code --out}, starts a branch: a new folder, recorded as the
 *       checkpoint's descendant ({@link RunBranch}); by default {@code <run>-branch-<step>} beside
 *       its parent. The parent is never pruned or rewritten.</li>
 * </ul>
 * Resuming a run that has already finished its epochs has nothing to do and writes nothing.
 */
public final class RunPlan {
    /** What the run does with its folder. */
    public enum Kind { NEW, CONTINUE, BRANCH }

    private final Kind kind;
    private final Path root;
    private final TrainConfig config;
    private final Checkpoint.Loaded resume;
    private final Path parentRun;

    private RunPlan(Kind kind, Path root, TrainConfig config, Checkpoint.Loaded resume, Path parentRun) {
        this.kind = kind;
        this.root = root;
        this.config = config;
        this.resume = resume;
        this.parentRun = parentRun;
    }

    /** A new run: {@code out/name}, which must not hold anything yet. */
    public static RunPlan fresh(TrainConfig config, Path out, String name) {
        RunFolder.requirePlainName(name);
        Path root = out.resolve(name);
        RunFolder.requireCreatable(root);
        RunLog.targets(root, config.logFile());
        return new RunPlan(Kind.NEW, root, config, null, null);
    }

    /**
     * A run that resumes a checkpoint.
     *
     * @param config   the hyperparameters to continue with (the checkpoint's, with what applies on resume)
     * @param out      the folder for a branch's run folder, or null: beside the parent run
     * @param name     the run folder's name, or null: the parent run's own, or a new branch's default
     */
    public static RunPlan resume(Checkpoint.Loaded ck, TrainConfig config, Path out, String name) {
        if (ck.state() == null) {
            throw new UserException("checkpoint " + ck.dir() + " holds weights only; --resume needs a training"
                    + " checkpoint (one with " + Checkpoint.STATE_FILE + ")");
        }
        if (name != null) {
            RunFolder.requirePlainName(name);
        }
        Path parent = RunFolder.of(ck.dir());
        Path folder = out != null ? out : parent != null ? parent.getParent() : Path.of("runs");
        String branchName = (parent != null ? parent : ck.dir().toAbsolutePath().normalize()).getFileName()
                + "-branch-" + step(ck);
        Path target = name != null ? folder.resolve(name) : parent != null ? folder.resolve(parent.getFileName()) : null;
        RunPlan plan;
        if (parent != null && same(target, parent)) {
            String holder = RunLock.holder(parent);
            if (holder != null) { // it trains on: its newest checkpoint is about to change
                throw new UserException("run folder " + parent + " is in use by " + holder + "; wait for it to finish,"
                        + " or give --name to branch from " + ck.dir() + " into a new folder");
            }
            Path newest = Checkpoint.newest(parent.resolve(RunFolder.CHECKPOINTS));
            if (same(newest, ck.dir())) {
                plan = new RunPlan(Kind.CONTINUE, parent, config, ck, null);
            } else if (name == null) {
                plan = new RunPlan(Kind.BRANCH, folder.resolve(branchName), config, ck, parent);
            } else {
                throw new UserException(ck.dir() + " is not the newest checkpoint of run " + parent + " (that is "
                        + newest + "): continuing from it inside " + parent + " would rewrite its history; omit --name"
                        + " to branch into " + folder.resolve(branchName) + ", or give another --name");
            }
        } else {
            plan = new RunPlan(Kind.BRANCH, target != null ? target : folder.resolve(branchName), config, ck, parent);
        }
        if (plan.kind == Kind.BRANCH) {
            if (Files.exists(plan.root) && Files.isDirectory(plan.root.resolve(RunFolder.CHECKPOINTS))) {
                throw new UserException("run folder " + plan.root + " already holds a run, and resuming " + ck.dir()
                        + " there would mix the two: a branch needs a new folder, so give another --name (or continue"
                        + " that run itself with --resume " + plan.root + ")");
            }
            RunFolder.requireCreatable(plan.root);
        }
        plan.checkPosition();
        if (!plan.nothingToDo()) {
            RunLog.targets(plan.root, config.logFile());
        }
        return plan;
    }

    /** The epochs to train must reach beyond the checkpoint's position, or exactly to it (nothing to do). */
    private void checkPosition() {
        int epoch = resume.state().epoch(), batch = resume.state().batchInEpoch();
        if (epoch > config.epochs() || (epoch == config.epochs() && batch > 0)) {
            throw new UserException("--epochs " + config.epochs() + " ends before checkpoint " + resume.dir()
                    + ", which stands after " + epoch + " epochs" + (batch > 0 ? " and " + batch + " batches" : "")
                    + "; give --epochs " + (batch > 0 ? epoch + 1 : epoch) + " or more");
        }
    }

    /** True when the resumed checkpoint already stands at the end of the run's epochs. */
    public boolean nothingToDo() {
        return resume != null && resume.state().epoch() == config.epochs() && resume.state().batchInEpoch() == 0;
    }

    /** What to tell the user when there is nothing to do. */
    public String nothingToDoMessage() {
        return "checkpoint " + resume.dir() + " has finished all " + config.epochs() + " epochs of its run: nothing to"
                + " train and nothing written; give --epochs N (more than " + config.epochs() + ") to train on";
    }

    /**
     * Checks the run against the data it will train on, before its folder is created: the model's
     * size against memory, a resumed checkpoint against the data, and noise_chains against its classes.
     *
     * @param onCpu true when the CPU backend will train
     */
    public void check(Dataset train, boolean onCpu) {
        ModelSpec spec = ModelSpec.of(config, train.shape(), train.classes());
        if (resume != null) {
            ResumeCheck.check(resume, config, train);
        }
        ChainPools.requireBalanced(config, train.classes());
        MemoryBudget.check(spec, config, train, onCpu);
    }

    /** Creates or claims the run folder (taking its lock); a branch also records its parent. */
    public RunFolder open() {
        return switch (kind) {
            case NEW -> RunFolder.create(root);
            case CONTINUE -> {
                RunFolder run = RunFolder.reopen(root);
                Path newest = Checkpoint.newest(run.checkpoints());
                if (!same(newest, resume.dir())) { // another process trained on between the decision and the lock
                    run.close();
                    throw new UserException("run " + root + " moved on while starting: its newest checkpoint is now "
                            + newest + "; resume again");
                }
                yield run;
            }
            case BRANCH -> {
                RunFolder run = RunFolder.create(root);
                try {
                    RunBranch.start(run, resume, parentRun);
                } catch (RuntimeException e) {
                    run.close();
                    throw e;
                }
                yield run;
            }
        };
    }

    /** Lines for the run's log: what this run continues or branches from. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        if (kind == Kind.CONTINUE) {
            lines.add("continuing run " + root + " from its newest checkpoint " + resume.dir());
        } else if (kind == Kind.BRANCH) {
            lines.add("branching from " + resume.dir() + (parentRun == null ? "" : " (step " + step(resume) + " of run "
                    + parentRun + ", which is left as it is)") + " into the new run folder " + root);
        }
        return lines;
    }

    public Kind kind() {
        return kind;
    }

    public Path root() {
        return root;
    }

    public TrainConfig config() {
        return config;
    }

    /** The checkpoint resumed, or null for a new run. */
    public Checkpoint.Loaded resume() {
        return resume;
    }

    /** The global batch of a checkpoint: its folder's number, or its Adam step for a loose one. */
    private static long step(Checkpoint.Loaded ck) {
        long fromName = Checkpoint.step(ck.dir());
        return fromName >= 0 ? fromName : ck.state().counters()[Counters.ADAM_T];
    }

    /** True when both paths name the same existing file or folder (or are equal when they do not exist). */
    private static boolean same(Path a, Path b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
