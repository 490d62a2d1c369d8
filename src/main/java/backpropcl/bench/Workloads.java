package backpropcl.bench;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The standard benchmark workloads, and picking some of them by name. */
public final class Workloads {
    /** W1, the lesson network: per-step overhead dominates (batch 10, narrow layers). */
    public static final Workload W1 = new Workload("W1",
            Network.of("784-16-16-10", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC), Init.NORMAL, 10, 3.0, false);
    /** W2, a small modern MLP: what a user would train on a laptop. */
    public static final Workload W2 = new Workload("W2",
            Network.of("784-128-64-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY), Init.HE, 100, 0.1, false);
    /** W3, a wide MLP: matrix products dominate. */
    public static final Workload W3 = new Workload("W3",
            Network.of("784-1024-1024-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY), Init.HE, 256, 0.05, true);

    public static final List<Workload> STANDARD = List.of(W1, W2, W3);

    private Workloads() {
    }

    /**
     * The workloads of {@code from} named in {@code names} (case-insensitive), in the order given,
     * duplicates dropped; an unknown name throws with the names that exist.
     */
    public static List<Workload> select(List<String> names, List<Workload> from) {
        Set<Workload> picked = new LinkedHashSet<>();
        for (String raw : names) {
            String name = raw.trim();
            Workload w = from.stream().filter(x -> x.name().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown workload '" + name + "' (expected "
                            + String.join(", ", from.stream().map(Workload::name).toList()) + ")"));
            picked.add(w);
        }
        if (picked.isEmpty()) {
            throw new IllegalArgumentException("--workloads names no workload");
        }
        return new ArrayList<>(picked);
    }
}
