package backpropcl.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names that users bring from PyTorch, Keras, scikit-learn, DL4J and Hugging Face scripts for
 * our options and commands ({@code --learning-rate} for {@code --lr}, {@code fit} for
 * {@code train}). Edit distance cannot find these ({@code --learning-rate} is 11 edits from
 * {@code --lr}), so they are listed. A name maps to what to suggest in its place, in order of
 * preference: the first one that the command at hand has is suggested ({@code --weights} is
 * {@code --model} in evaluate and {@code --init-from} in train).
 */
final class Synonyms {
    /** Foreign option name (compared as {@link NearestNames#key} compares) to our options, most likely first. */
    static final Map<String, List<String>> OPTIONS = options();
    /** Foreign command name to our command (or top-level option). */
    static final Map<String, String> COMMANDS = commands();

    private Synonyms() {
    }

    private static Map<String, List<String>> options() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        put(m, "--lr", "learning-rate", "lr-rate", "rate", "eta", "base-lr", "initial-lr", "init-lr");
        put(m, "--batch", "batch-size", "bs", "mini-batch", "mini-batch-size", "train-batch-size", "per-device-train-batch-size");
        put(m, "--epochs", "epoch", "num-epochs", "n-epochs", "nb-epoch", "nb-epochs", "max-epochs", "num-train-epochs",
                "n-iter", "max-iter");
        put(m, "--optimizer", "optim", "optimiser", "opt", "solver", "updater");
        put(m, "--activation", "activation-fn", "activation-function", "act", "act-fn", "hidden-activation", "nonlinearity");
        put(m, "--output", "output-activation", "out-activation", "final-activation", "last-activation");
        put(m, "--cost", "loss", "loss-fn", "loss-function", "criterion", "objective", "cost-function");
        put(m, "--init", "weight-init", "weights-init", "init-method", "initializer", "initialiser", "kernel-initializer",
                "weight-initializer");
        put(m, "--seed", "random-seed", "random-state", "manual-seed", "rng-seed");
        put(m, "--arch", "architecture", "hidden-layers", "hidden-layer-sizes", "hidden-sizes", "layer-sizes");
        put(m, "--data", "dataset", "data-dir", "data-path", "data-file", "train-data", "train-file", "input", "csv");
        put(m, "--model,--save", "model-path", "model-file");
        put(m, "--save", "save-path", "save-model", "save-to", "output-model", "model-out", "out-model");
        put(m, "--model,--init-from", "weights", "load", "load-model");
        put(m, "--init-from,--model", "pretrained", "init-weights", "init-model", "from-model", "finetune");
        put(m, "--checkpoint-dir,--model", "checkpoint", "ckpt");
        put(m, "--checkpoint-dir", "ckpt-dir", "checkpoint-path", "checkpoints", "save-dir");
        put(m, "--resume", "resume-from", "resume-from-checkpoint", "restore", "continue");
        put(m, "--metrics", "log", "log-file", "history", "csv-log", "csv-logger", "metrics-file");
        put(m, "--plot", "plot-dir", "plots", "figures", "fig-dir");
        put(m, "--classes", "num-classes", "n-classes", "nb-classes", "number-of-classes");
        put(m, "--weight-decay", "wd");
        put(m, "--label-column", "label", "target", "target-column", "label-col", "y-column", "class-column");
        put(m, "--separator", "sep", "delimiter", "delim", "field-separator");
        put(m, "--normalize", "standardize", "standardise", "normalise", "scaler", "scale", "feature-scaling");
        put(m, "--validation", "validation-split", "val-split", "val-fraction", "valid-split", "holdout");
        put(m, "--early-stop", "patience", "early-stopping", "early-stopping-patience");
        put(m, "--monitor", "monitor-metric", "early-stopping-metric");
        put(m, "--l2", "l2-reg", "l2-lambda", "l2-regularization", "lambda", "reg", "regularization", "alpha");
        put(m, "--momentum", "mom");
        put(m, "--optimizer nesterov", "nesterov");
        put(m, "--epsilon", "eps", "adam-epsilon");
        put(m, "--lr-schedule", "schedule", "scheduler", "lr-scheduler", "lr-policy");
        put(m, "--lr-gamma", "gamma", "lr-decay", "decay-rate", "lr-factor");
        put(m, "--lr-step-epochs", "step-size", "lr-step", "decay-epochs");
        put(m, "--min-lr", "eta-min", "lr-min", "final-lr", "end-lr");
        put(m, "--warmup-epochs", "warmup");
        put(m, "--engine", "backend", "accelerator", "device-type");
        put(m, "--engine opencl", "gpu", "cuda", "use-gpu", "use-cuda", "opencl");
        put(m, "--engine cpu", "cpu", "no-cuda", "no-gpu", "use-cpu");
        put(m, "--device", "device-id", "gpu-id", "gpu-index", "local-rank");
        put(m, "--devices", "device-ids", "gpu-ids", "gpus");
        put(m, "--replicas", "num-replicas", "world-size", "nproc-per-node", "data-parallel");
        put(m, "--no-progress", "no-progress-bar", "disable-progress-bar", "no-tqdm", "disable-tqdm");
        put(m, "--train-samples", "n-train", "num-train", "num-train-samples", "max-train-samples");
        put(m, "--test-samples", "n-test", "num-test", "num-test-samples", "max-test-samples", "max-eval-samples");
        put(m, "--expand", "augment", "augmentation", "data-augmentation");
        put(m, "--json", "format", "output-format", "as-json");
        put(m, "--top", "topk", "k");
        put(m, "--out", "out-dir", "output-dir", "output-file", "out-file", "output-path");
        put(m, "--steps", "num-steps", "n-steps", "iterations", "iters");
        put(m, "--tolerance", "tol");
        return Collections.unmodifiableMap(m);
    }

    /** Each of {@code names} suggests the comma-separated {@code targets}, in that order. */
    private static void put(Map<String, List<String>> m, String targets, String... names) {
        for (String n : names) {
            if (m.put(n, List.of(targets.split(","))) != null) {
                throw new IllegalStateException("synonym " + n + " is listed twice");
            }
        }
    }

    private static Map<String, String> commands() {
        Map<String, String> m = new LinkedHashMap<>();
        command(m, "train", "fit", "training", "learn");
        command(m, "evaluate", "eval", "test", "score", "validate", "evaluation");
        command(m, "predict", "infer", "inference", "classify", "recognize", "recognise");
        command(m, "plot", "chart", "charts", "graph", "plots");
        command(m, "visualize", "visualise", "viz", "vis", "show-weights", "weights", "visualization", "visualisation");
        command(m, "compare", "diff", "cmp", "check-engines");
        command(m, "gradcheck", "gradient-check", "check-gradients", "grad-test");
        command(m, "devices", "list-devices", "gpus", "clinfo", "list");
        command(m, "bench", "benchmark", "perf", "timing");
        command(m, "selftest", "check", "test-device", "verify", "doctor");
        command(m, "--version", "version");
        return Collections.unmodifiableMap(m);
    }

    private static void command(Map<String, String> m, String target, String... names) {
        for (String n : names) {
            if (m.put(n, target) != null) {
                throw new IllegalStateException("synonym " + n + " is listed twice");
            }
        }
    }
}
