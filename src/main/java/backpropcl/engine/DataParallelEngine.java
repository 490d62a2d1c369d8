package backpropcl.engine;

import backpropcl.data.Dataset;
import backpropcl.model.Gradients;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One engine over N replica engines (OpenCL devices, or single-threaded cpu engines): each batch
 * is cut into N row slices (sizes differ by at most one, the first ones larger), replica k
 * computes the gradients of slice k on its own thread (an OpenCL replica enqueues its kernels and
 * the read of its one gradient buffer without blocking, {@link Engine#gradientsArriving}), and the host sums them in double
 * weighted by rows, {@code g = sum_k rows_k/rows * g_k} in the fixed order k = 0..N-1, so a run is
 * deterministic for a given N. Every replica then takes the same update from the same summed
 * buffer, so parameters and optimizer state stay identical everywhere; reads
 * ({@link #state}, {@link #parameters}, {@link #evaluate}, {@link #outputFinite}) come from
 * replica 0. A slice of 0 rows (a batch smaller than N) is skipped. Per step one flat gradient
 * buffer per replica crosses to the host and one summed buffer back (docs/gpu.md, "Several devices").
 *
 * <p>A step runs in phases on N lanes at once (lane 0 the caller's thread, lane k its own thread)
 * meeting at a {@link LaneBarrier} at its start and after each phase: each replica computes its slice and starts the copy of its
 * gradients into its own preallocated buffer; each lane sums its own range of elements over the N buffers (each
 * element still in the order k = 0..N-1, so the sum's bits do not depend on the split), waiting for
 * replica k's copy just before its term, so replica 0's terms are summed while later replicas'
 * kernels and reads are still in flight; each
 * replica takes the sum and applies it. No buffer is allocated per step.
 */
public final class DataParallelEngine implements Engine {
    private final List<Engine> replicas;
    /** Lane k's thread for k >= 1 (index k - 1), waiting at the barrier for each step; lane 0 is the caller's thread. */
    private final List<Thread> lanes;
    private final Network net;
    /** Replica k's gradients of the step, copied out into the same buffer every step. */
    private final Gradients[] parts;
    /** parts[k] when slice k of this step has rows, else null: what the sum reads. */
    private final Gradients[] stepParts;
    /** Replica k's copy into parts[k], started in the step's first phase. */
    private final Engine.GradientArrival[] started;
    /** started[k] awaited range by range by the sum on any lane, its failure named as replica k's (made once). */
    private final Engine.GradientArrival[] arrivals;
    /** The weighted sum of the last step (or the gradients set), what every replica applies. */
    private final Gradients summed;
    /** Where the lanes meet at a step's start and after each of its phases. */
    private final LaneBarrier barrier;
    /** The phases of the step the lanes are released into; null: the lanes stop (close). */
    private IntConsumer[] work;
    /** The failure of each lane in the running step (null: none); read after the last barrier. */
    private final Throwable[] failures;
    /** Whether a lane failed in the running step: the later phases are skipped on every lane. */
    private volatile boolean failed;
    private boolean haveSum;
    private boolean closed;
    /** Steps begun by this engine (trainBatch and computeGradients), the one running included. */
    private long stepsBegun;
    /** The test switch's planted failure ({@link PlantedFailure}), or null. */
    private PlantedFailure planted;

    /**
     * Takes the replicas (and closes them when it is closed), all on the same network and already
     * holding the same parameters.
     */
    public DataParallelEngine(List<? extends Engine> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("a data-parallel engine needs at least one replica");
        }
        this.replicas = List.copyOf(replicas);
        this.net = this.replicas.get(0).network();
        for (Engine r : this.replicas) {
            EngineInputs.checkNetwork(net, r.network(), "replica " + this.replicas.indexOf(r) + " is");
        }
        int n = this.replicas.size();
        this.parts = new Gradients[n];
        for (int k = 0; k < n; k++) {
            parts[k] = new Gradients(net);
        }
        this.stepParts = new Gradients[n];
        this.started = new Engine.GradientArrival[n];
        this.arrivals = new Engine.GradientArrival[n];
        for (int k = 0; k < n; k++) {
            int replica = k;
            arrivals[k] = (from, to) -> {
                try {
                    started[replica].await(from, to);
                } catch (RuntimeException e) {
                    throw new ReplicaException(replica, this.replicas.get(replica).description(), e);
                }
            };
        }
        this.summed = new Gradients(net);
        this.barrier = new LaneBarrier(n);
        this.failures = new Throwable[n];
        List<Thread> made = new ArrayList<>();
        for (int k = 1; k < n; k++) {
            int lane = k;
            Thread t = new Thread(() -> lane(lane), "replica-" + k);
            t.setDaemon(true);
            made.add(t);
        }
        this.lanes = List.copyOf(made);
        lanes.forEach(Thread::start);
    }

    /** Replica {@code f.replica()} throws at step {@code f.step()} of this engine ({@link PlantedFailure}, a test switch). */
    void plant(PlantedFailure f) {
        planted = f;
    }

    /** The number of replicas. */
    public int replicaCount() {
        return replicas.size();
    }

    /** Replica k (for tests and the engine line): the engine computing slice k of every batch. */
    public Engine replica(int k) {
        return replicas.get(k);
    }

    /**
     * The rows of slice k when {@code rows} rows are cut into {@code n} slices: sizes differ by at
     * most one, the first {@code rows % n} slices one larger.
     */
    public static int sliceRows(int rows, int n, int k) {
        return rows / n + (k < rows % n ? 1 : 0);
    }

    /** The first row of slice k within its batch (the sum of the slices before it). */
    public static int sliceStart(int rows, int n, int k) {
        return k * (rows / n) + Math.min(k, rows % n);
    }

    @Override
    public String description() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "data-parallel over %d replicas:", replicas.size()));
        for (int k = 0; k < replicas.size(); k++) {
            s.append(k == 0 ? " " : "; ").append(k).append(": ").append(replicas.get(k).description());
        }
        return s.toString();
    }

    @Override
    public Network network() {
        return net;
    }

    @Override
    public void setParameters(Parameters parameters) {
        each(r -> r.setParameters(parameters));
    }

    @Override
    public Parameters parameters() {
        live();
        return replicas.get(0).parameters();
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
        each(r -> r.setOptimizer(optimizer));
    }

    @Override
    public Optimizer optimizer() {
        live();
        return replicas.get(0).optimizer();
    }

    @Override
    public TrainingState state() {
        live();
        return replicas.get(0).state();
    }

    @Override
    public void setState(TrainingState state) {
        each(r -> r.setState(state));
    }

    @Override
    public void setTrainingData(Dataset train) {
        each(r -> r.setTrainingData(train));
    }

    /** Each replica reserves the largest slice of such a batch: ceil(rows / N). */
    @Override
    public void reserveBatch(int rows) {
        int slice = sliceRows(rows, replicas.size(), 0);
        each(r -> r.reserveBatch(slice));
    }

    @Override
    public void setOrder(int[] order) {
        each(r -> r.setOrder(order));
    }

    @Override
    public void setSeed(long seed) {
        each(r -> r.setSeed(seed));
    }

    /** computeGradients then applyGradients: the summed gradients set and applied in the same phase. */
    @Override
    public void trainBatch(int start, int rows, double learningRate) {
        step(start, rows, 0, k -> {
            Engine r = replicas.get(k);
            r.setGradients(summed);
            r.applyGradients(learningRate);
        });
    }

    /**
     * Replica k computes slice k (rows firstRow + sliceStart(k) .. of the batch) on its lane and
     * copies its gradients out; the host sums them weighted by rows in the order k = 0..N-1 and
     * hands the sum to every replica, ready for {@link #applyGradients}.
     */
    @Override
    public void computeGradients(int start, int rows, int firstRow) {
        step(start, rows, firstRow, k -> replicas.get(k).setGradients(summed));
    }

    /** The phases of a step: every slice computed and copied out, summed by ranges of elements, then {@code take} on every lane. */
    private void step(int start, int rows, int firstRow, IntConsumer take) {
        live();
        if (rows < 1) {
            throw new IllegalArgumentException("a batch of at least one row, got " + rows);
        }
        int n = replicas.size();
        summed.setRows(rows);
        haveSum = true;
        long stepNumber = ++stepsBegun;
        phases(k -> {
            if (planted != null) {
                planted.check(k, stepNumber);
            }
            int sliceRows = sliceRows(rows, n, k);
            stepParts[k] = sliceRows > 0 ? parts[k] : null;
            if (sliceRows > 0) {
                int offset = sliceStart(rows, n, k);
                Engine r = replicas.get(k);
                r.computeGradients(start + offset, sliceRows, firstRow + offset);
                started[k] = r.gradientsArriving(parts[k]);   // an OpenCL replica: enqueued, not waited for
            }
        }, k -> {
            int length = summed.values().length;
            weightedSum(stepParts, arrivals, rows, summed.values(), sliceStart(length, n, k), sliceStart(length, n, k + 1));
        }, take);
    }

    /**
     * into[i] = sum_k rows_k/rows * g_k[i] in double for i in [from, to), k = 0..N-1, slices of 0
     * rows (null) skipped. The sum starts from the first slice's term (not from +0), so a single
     * replica's gradients come back bit for bit, -0 included; each element is summed in the same
     * order whatever the range, so splitting the elements over lanes changes no bit.
     */
    static void weightedSum(Gradients[] parts, int rows, double[] into, int from, int to) {
        weightedSum(parts, null, rows, into, from, to);
    }

    /**
     * The same sum, waiting for {@code arrivals[k]}'s range (when not null) just before slice k's
     * term: the terms of the replicas whose copies have arrived are summed while later ones are
     * still in flight, in the same order k = 0..N-1.
     */
    static void weightedSum(Gradients[] parts, Engine.GradientArrival[] arrivals, int rows, double[] into, int from, int to) {
        boolean first = true;
        for (int k = 0; k < parts.length; k++) {
            Gradients part = parts[k];
            if (part == null) {
                continue;
            }
            if (arrivals != null) {
                arrivals[k].await(from, to);
            }
            double weight = (double) part.rows() / rows;
            double[] v = part.values();
            if (first) {
                for (int i = from; i < to; i++) {
                    into[i] = weight * v[i];
                }
                first = false;
            } else {
                for (int i = from; i < to; i++) {
                    into[i] += weight * v[i];
                }
            }
        }
    }

    /** The summed gradients of the last {@link #computeGradients} (or those set), copied into the caller's buffer. */
    @Override
    public void gradients(Gradients into) {
        live();
        if (!haveSum) {
            replicas.get(0).gradients(into);
            return;
        }
        EngineInputs.checkNetwork(net, into.network(), "gradients are");
        System.arraycopy(summed.values(), 0, into.values(), 0, summed.values().length);
        into.setRows(summed.rows());
    }

    @Override
    public void setGradients(Gradients gradients) {
        live();
        EngineInputs.checkNetwork(net, gradients.network(), "gradients are");
        System.arraycopy(gradients.values(), 0, summed.values(), 0, summed.values().length);
        summed.setRows(gradients.rows());
        haveSum = true;
        phases(k -> replicas.get(k).setGradients(summed));
    }

    /** Every replica takes the same update from the same buffer, each on its lane. */
    @Override
    public void applyGradients(double learningRate) {
        live();
        phases(k -> replicas.get(k).applyGradients(learningRate));
    }

    @Override
    public boolean outputFinite() {
        live();
        return replicas.get(0).outputFinite();
    }

    @Override
    public Evaluation evaluate(Dataset data) {
        live();
        return replicas.get(0).evaluate(data);
    }

    /**
     * Dense layer l after the last step: the summed gradients and the updated weights and biases
     * (every replica's), with z, a and delta of replica 0's slice only (its first rows of the batch).
     */
    @Override
    public LayerTrace trace(int layer) {
        live();
        LayerTrace first = replicas.get(0).trace(layer);
        if (!haveSum) {
            return first;
        }
        return new LayerTrace(first.z(), first.a(), first.delta(), summed.weights(layer), summed.biases(layer), first.weights(),
                first.biases());
    }

    /** Closes every replica and stops the lanes; never throws for a release failure. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        work = null;
        barrier.await(0);
        for (Engine r : replicas) {
            r.close();
        }
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    /** The same call on every replica, in order, on the caller's thread (setters: nothing to overlap). */
    private void each(Consumer<Engine> call) {
        live();
        for (Engine r : replicas) {
            call.accept(r);
        }
    }

    /**
     * Runs the phases in order on every lane k (lane 0 on this thread), the lanes meeting at the
     * barrier after each phase, so phase p + 1 starts on any lane only when phase p is done on all
     * (one hand-off per phase). After a failure on any lane the later phases are skipped
     * everywhere; then throws the first failure (by k) as a {@link ReplicaException} naming the
     * replica (an {@link Error} as it is).
     */
    private void phases(IntConsumer... phases) {
        failed = false;
        Arrays.fill(failures, null);
        work = phases;
        barrier.await(0);
        runPhases(0, phases);
        for (int k = 0; k < failures.length; k++) {
            Throwable t = failures[k];
            if (t instanceof Error error) {
                throw error;
            }
            if (t instanceof ReplicaException named) {
                throw named;   // another replica's copy, failed while this lane summed it
            }
            if (t != null) {
                throw new ReplicaException(k, replicas.get(k).description(), t);
            }
        }
    }

    /** Lane k's thread (k >= 1): each step's phases as the barrier releases them, until close. */
    private void lane(int k) {
        while (true) {
            barrier.await(k);
            IntConsumer[] phases = work;
            if (phases == null) {
                return;
            }
            runPhases(k, phases);
        }
    }

    /** Lane k's part of {@link #phases}: each phase unless one has failed, then the barrier. */
    private void runPhases(int k, IntConsumer[] phases) {
        for (IntConsumer phase : phases) {
            if (!failed) {
                try {
                    phase.accept(k);
                } catch (Throwable t) {
                    failures[k] = t;
                    failed = true;
                }
            }
            barrier.await(k);
        }
    }
}
