package backpropcl.bench;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Shape;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The benchmark workloads, and picking some of them by name. */
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

    /** The images the conv workloads read: MNIST's and Fashion-MNIST's 28 x 28 grey pixels. */
    public static final Shape IMAGES = new Shape(1, 28, 28);
    /**
     * Epoch length of the conv workloads: W5 costs about 25 MFLOP a sample, 2.6 times W3's, in
     * convolutions that run slower than W3's matrix products, so 2,000 samples keep its epochs
     * within seconds on 2 cores while lasting far longer than the timer's resolution.
     */
    public static final int CONV_TRAIN_SAMPLES = 2_000;
    /** W4, LeNet-5 on 1x28x28 (padded first conv, as for MNIST): small convolutions, many small steps. */
    public static final Workload W4 = new Workload("W4", Network.parse(IMAGES,
            "conv:6x5x5:p2,relu,maxpool:2,conv:16x5x5,relu,maxpool:2,flatten,dense:120,relu,dense:84,relu,dense:10,softmax",
            Cost.CROSS_ENTROPY), Init.HE, 32, 0.05, false, CONV_TRAIN_SAMPLES);
    /** W5, two 3x3 conv blocks with batch normalisation: the second convolution dominates. */
    public static final Workload W5 = new Workload("W5", Network.parse(IMAGES,
            "conv:32x3x3:p1,batchnorm,relu,maxpool:2,conv:64x3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:128,relu,dense:10,softmax",
            Cost.CROSS_ENTROPY), Init.HE, 64, 0.05, true, CONV_TRAIN_SAMPLES);

    /** What bench runs when --workloads is not given. */
    public static final List<Workload> STANDARD = List.of(W1, W2, W3);
    /** Every workload --workloads may name. */
    public static final List<Workload> ALL = List.of(W1, W2, W3, W4, W5);

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

    /**
     * Training samples per epoch for a run of these workloads when --train-samples is not given:
     * the largest of their own, so that no workload's epoch gets too short to time.
     */
    public static int trainSamples(List<Workload> workloads) {
        return workloads.stream().mapToInt(Workload::trainSamples).max().orElse(Workload.DENSE_TRAIN_SAMPLES);
    }
}
