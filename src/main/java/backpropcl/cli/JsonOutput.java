package backpropcl.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;

/**
 * What --json prints: strict JSON, which has no NaN or Infinity. Every number that can be
 * non-finite goes through {@link #number} and is written as null; the writers keep Gson's
 * serializeSpecialFloatingPointValues off, so a non-finite number that slipped past is a bug that
 * fails loudly rather than output a JSON parser rejects. (JsonElement.toString() writes leniently,
 * NaN included: not used for output.)
 */
final class JsonOutput {
    private static final Gson COMPACT = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final Gson PRETTY = new GsonBuilder().serializeNulls().setPrettyPrinting().create();

    private JsonOutput() {
    }

    /** {@code v}, or null when it is NaN or infinite. */
    static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    /** One line. */
    static String compact(JsonElement e) {
        return COMPACT.toJson(e);
    }

    /** Indented, as compare and selftest print. */
    static String pretty(JsonElement e) {
        return PRETTY.toJson(e);
    }
}
