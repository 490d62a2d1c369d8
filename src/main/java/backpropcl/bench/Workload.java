package backpropcl.bench;

import backpropcl.model.Init;
import backpropcl.model.Network;

/**
 * One training recipe to time: a network, its initialisation, and the SGD settings.
 *
 * @param name        what --workloads calls it, e.g. "W2"
 * @param network     the layers, activations and cost
 * @param init        how the parameters start (from {@link Benchmark#SEED})
 * @param batch       samples per mini-batch
 * @param learningRate eta
 * @param slowOnReference true when the reference engine is skipped unless --engines names it:
 *                    double-precision plain loops take far too long on it
 * @param trainSamples training samples per epoch unless --train-samples says otherwise: an epoch
 *                    long enough to time and short enough for a 2-core machine
 */
public record Workload(String name, Network network, Init init, int batch, double learningRate, boolean slowOnReference,
                       int trainSamples) {
    /** Epoch length of the dense workloads (docs/benchmarks.md: W3's 10,000 samples take about 5 s on PoCL). */
    public static final int DENSE_TRAIN_SAMPLES = 10_000;

    /** A workload with the dense workloads' epoch of {@link #DENSE_TRAIN_SAMPLES}. */
    public Workload(String name, Network network, Init init, int batch, double learningRate, boolean slowOnReference) {
        this(name, network, init, batch, learningRate, slowOnReference, DENSE_TRAIN_SAMPLES);
    }

    public Workload {
        if (batch < 1) {
            throw new IllegalArgumentException(name + ": batch must be at least 1, got " + batch);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(name + ": learning rate must be positive and finite, got " + learningRate);
        }
        if (trainSamples < 1) {
            throw new IllegalArgumentException(name + ": training samples must be at least 1, got " + trainSamples);
        }
    }

    /** "784-128-64-10 [relu,relu,softmax] cross-entropy, he init, batch 100, lr 0.1" (a conv network: its shape and layers). */
    public String summary() {
        return network + ", " + init.cliName() + " init, batch " + batch + ", lr " + learningRate;
    }
}
