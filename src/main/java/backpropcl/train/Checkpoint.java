package backpropcl.train;

import backpropcl.io.ModelFile;
import backpropcl.io.ModelFileException;
import backpropcl.model.TrainingState;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's state between two batches, enough to go on as if it had never stopped: the parameters
 * and the optimizer's state (float64, so every engine reads back exactly what it held), the
 * training configuration, the position of the next batch, and the metrics of the epochs done.
 * The shuffling needs no saved generator: each epoch's order comes from the seed and the epoch
 * ({@link Shuffle}).
 *
 * <p>On disk: {@code DIR/checkpoint.safetensors}, a model file ({@link ModelFile}) with F64
 * tensors and more metadata, so {@code evaluate}, {@code predict} and {@code --init-from} read it
 * too. The best epoch's state is a second set of tensors in the same file, named
 * {@code best.layers.0.weight} etc. ({@link ModelFile#loadMore}), with metadata
 * {@code best_epoch}, {@code best_value} and {@code best_epochs_since}. Each save replaces the
 * file atomically: a crash at any moment leaves the previous checkpoint or the new one, whole.
 *
 * @param state   parameters and optimizer state
 * @param config  how the run trains (epochs as asked when it started)
 * @param next    the next batch to train
 * @param metrics one row per finished epoch
 * @param data    where the data came from (train records its --data option), to load it again on resume
 * @param fingerprint what the training data was, to refuse other data on resume; null in checkpoints
 *                written before there were fingerprints
 * @param best    the best epoch so far of a run with a validation split; null without one, or before
 *                its first epoch ended
 */
public record Checkpoint(TrainingState state, TrainingConfig config, Position next, List<EpochMetrics> metrics, String data,
                         DataFingerprint fingerprint, BestEpoch best) {

    /** A checkpoint without a fingerprint of its data. */
    public Checkpoint(TrainingState state, TrainingConfig config, Position next, List<EpochMetrics> metrics, String data) {
        this(state, config, next, metrics, data, null, null);
    }

    /** A checkpoint of a run without a best epoch (no validation split). */
    public Checkpoint(TrainingState state, TrainingConfig config, Position next, List<EpochMetrics> metrics, String data,
                      DataFingerprint fingerprint) {
        this(state, config, next, metrics, data, fingerprint, null);
    }

    public static final String FILE_NAME = "checkpoint.safetensors";

    /** The prefix of the best epoch's tensors in the file. */
    static final String BEST = "best.";

    /** Whether the run stopped early: its patience ran out at its last epoch, so resuming it trains nothing. */
    public boolean stoppedEarly() {
        return best != null && best.patienceRanOut(config.earlyStop());
    }

    private static final Gson GSON = new Gson();

    /** The checkpoint file in {@code dir}. */
    public static Path file(Path dir) {
        return dir.resolve(FILE_NAME);
    }

    /** Whether {@code dir} holds a checkpoint file. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(file(dir));
    }

    /** Writes this checkpoint to {@code dir} (created when missing), replacing the last one atomically. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
        Map<String, String> extra = new LinkedHashMap<>(config.toMetadata());
        extra.put("checkpoint", "1");
        extra.put("next_epoch", Integer.toString(next.epoch()));
        extra.put("next_batch", Integer.toString(next.batch()));
        extra.put("data", data);
        extra.put("metrics", metricsJson(metrics));
        if (fingerprint != null) {
            extra.putAll(fingerprint.toMetadata());
        }
        if (best != null) {
            extra.put("best_epoch", Integer.toString(best.epoch()));
            extra.put("best_value", Double.toString(best.value()));   // the text reads back to the same bits
            extra.put("best_epochs_since", Integer.toString(best.epochsSince()));
        }
        ModelFile.save(file(dir), state, extra, true, best == null ? Map.of() : Map.of(BEST, best.state()));
    }

    /**
     * Reads the checkpoint in {@code dir}.
     *
     * @throws ModelFileException when there is none or it is not a whole checkpoint
     */
    public static Checkpoint load(Path dir) {
        Path file = file(dir);
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(dir + ": no checkpoint here (expected " + file + ", written by train --checkpoint-dir)");
        }
        ModelFile.Saved saved = ModelFile.load(file);
        Map<String, String> m = saved.metadata();
        if (!"1".equals(m.get("checkpoint")) || !saved.hasOptimizerState()) {
            throw new ModelFileException(file + ": a model file, not a checkpoint (no checkpoint metadata); use it with --init-from");
        }
        TrainingConfig config;
        try {
            config = TrainingConfig.fromMetadata(m);
        } catch (RuntimeException e) {   // NumberFormat or IllegalArgument from a key's value
            throw new ModelFileException(file + ": checkpoint metadata is not valid: " + e.getMessage(), e);
        }
        Position next = new Position((int) ModelFile.wholeNumber(file, m, "next_epoch", Integer.MAX_VALUE, "checkpoint metadata"),
                (int) ModelFile.wholeNumber(file, m, "next_batch", Integer.MAX_VALUE, "checkpoint metadata"));
        List<EpochMetrics> rows;
        try {
            rows = parseMetrics(m.getOrDefault("metrics", "[]"));
        } catch (RuntimeException e) {   // malformed JSON, or rows without their fields
            throw new ModelFileException(file + ": checkpoint metadata 'metrics' is not the list of epochs a checkpoint holds", e);
        }
        return new Checkpoint(saved.optimizerState(), config, next, rows, m.getOrDefault("data", ""),
                DataFingerprint.fromMetadata(file, m), best(file, m));
    }

    /** The best epoch the file records, or null when it records none. */
    private static BestEpoch best(Path file, Map<String, String> m) {
        if (!m.containsKey("best_epoch")) {
            return null;
        }
        TrainingState state = ModelFile.loadMore(file, BEST);
        if (state == null) {
            throw new ModelFileException(file + ": checkpoint metadata names a best epoch but the file holds no '" + BEST
                    + "' tensors");
        }
        int epoch = (int) ModelFile.wholeNumber(file, m, "best_epoch", Integer.MAX_VALUE, "checkpoint metadata");
        int since = (int) ModelFile.wholeNumber(file, m, "best_epochs_since", Integer.MAX_VALUE, "checkpoint metadata");
        double value;
        try {
            value = Double.parseDouble(m.getOrDefault("best_value", ""));
        } catch (NumberFormatException e) {
            throw new ModelFileException(file + ": checkpoint metadata 'best_value' is not a number", e);
        }
        if (epoch < 1) {
            throw new ModelFileException(file + ": checkpoint metadata 'best_epoch' is 0; expected an epoch from 1");
        }
        return new BestEpoch(epoch, value, since, state);
    }

    private static String metricsJson(List<EpochMetrics> rows) {
        JsonArray a = new JsonArray();
        for (EpochMetrics r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("epoch", r.epoch());
            // Doubles as text: JSON has no NaN, and the text reads back to the same bits.
            o.addProperty("learning_rate", Double.toString(r.learningRate()));
            o.addProperty("train_cost", Double.toString(r.trainCost()));
            o.addProperty("train_accuracy", Double.toString(r.trainAccuracy()));
            o.addProperty("test_cost", Double.toString(r.testCost()));
            o.addProperty("test_accuracy", Double.toString(r.testAccuracy()));
            o.addProperty("samples_per_second", Double.toString(r.samplesPerSecond()));
            o.addProperty("seconds", Double.toString(r.seconds()));
            o.addProperty("val_cost", Double.toString(r.valCost()));
            o.addProperty("val_accuracy", Double.toString(r.valAccuracy()));
            a.add(o);
        }
        return GSON.toJson(a);
    }

    private static List<EpochMetrics> parseMetrics(String json) {
        List<EpochMetrics> rows = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            rows.add(new EpochMetrics(o.get("epoch").getAsInt(), d(o, "learning_rate"), d(o, "train_cost"), d(o, "train_accuracy"),
                    d(o, "test_cost"), d(o, "test_accuracy"), d(o, "samples_per_second"), d(o, "seconds"),
                    o.has("val_cost") ? d(o, "val_cost") : Double.NaN, o.has("val_accuracy") ? d(o, "val_accuracy") : Double.NaN));
        }
        return rows;
    }

    private static double d(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null) {
            throw new IllegalArgumentException("a metrics row has no " + key);
        }
        return Double.parseDouble(e.getAsString());
    }
}
