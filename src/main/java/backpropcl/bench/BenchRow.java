package backpropcl.bench;

import java.util.List;

/**
 * One line of the benchmark's table: one engine on one workload. Values that were not measured
 * are NaN (a skipped row, a failed check, an engine without kernel profiling).
 *
 * @param workload         e.g. "W2"
 * @param engine           the target's label, e.g. "opencl:0", "cpu x2"
 * @param replicas         how many replicas or devices the engine trained on (1 for a plain engine)
 * @param description      the engine's own description ("opencl (device, runtime)"), or "" when it never opened
 * @param status           what happened
 * @param note             why a row was skipped or failed; "" otherwise
 * @param checkError       largest relative error of the weights against the reference after the check steps
 * @param epochSeconds     wall time of every timed epoch, the first (warm-up) included
 * @param samplesPerSecond training samples over the median epoch after the first
 * @param gflops           {@link FlopCount#perEpoch} over that median epoch, in 10^9 per second
 * @param outsideKernels   fraction of the profiled epoch's wall time not spent in kernels, 0..1
 * @param testAccuracy     on the test set after the timed epochs
 */
public record BenchRow(String workload, String engine, int replicas, String description, Status status, String note,
                       double checkError, List<Double> epochSeconds, double samplesPerSecond, double gflops,
                       double outsideKernels, double testAccuracy) {

    public enum Status { PASS, FAIL, SKIPPED }

    static BenchRow skipped(String workload, String engine, int replicas, String description, String why) {
        return new BenchRow(workload, engine, replicas, description, Status.SKIPPED, why, Double.NaN, List.of(), Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);
    }

    static BenchRow failed(String workload, String engine, int replicas, String description, double checkError, String why) {
        return new BenchRow(workload, engine, replicas, description, Status.FAIL, why, checkError, List.of(), Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);
    }

    /**
     * The device part of the description: "pthread-haswell-AMD EPYC, PoCL 3.1" from
     * "opencl (pthread-haswell-AMD EPYC, PoCL 3.1)", as engines describe themselves "name (device)".
     */
    public String device() {
        String prefix = "data-parallel over ";
        if (description.startsWith(prefix) && description.contains(": 0: ")) {
            // "data-parallel over 2 replicas: 0: cpu (D); 1: cpu (D)": each replica's device, once each.
            java.util.LinkedHashSet<String> each = new java.util.LinkedHashSet<>();
            for (String part : description.substring(description.indexOf(": 0: ") + 2).split("; (?=\\d+: )")) {
                each.add(deviceOf(part.substring(part.indexOf(": ") + 2)));
            }
            return String.join(" + ", each);
        }
        return deviceOf(description);
    }

    private static String deviceOf(String description) {
        int open = description.indexOf(" (");
        return open > 0 && description.endsWith(")") ? description.substring(open + 2, description.length() - 1) : description;
    }
}
