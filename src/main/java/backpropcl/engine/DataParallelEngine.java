package backpropcl.engine;

import backpropcl.data.Dataset;
import backpropcl.model.Gradients;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * One engine over N replica engines (OpenCL devices, or single-threaded cpu engines): each batch
 * is cut into N row slices (sizes differ by at most one, the first ones larger), replica k
 * computes the gradients of slice k on its own thread (an OpenCL replica enqueues its kernels and
 * blocks in {@link Engine#gradients()} while the others run), and the host sums them in double
 * weighted by rows, {@code g = sum_k rows_k/rows * g_k} in the fixed order k = 0..N-1, so a run is
 * deterministic for a given N. Every replica then takes the same update from the same summed
 * buffer, so parameters and optimizer state stay identical everywhere; reads
 * ({@link #state}, {@link #parameters}, {@link #evaluate}, {@link #outputFinite}) come from
 * replica 0. A slice of 0 rows (a batch smaller than N) is skipped. Per step one flat gradient
 * buffer per replica crosses to the host and one summed buffer back (docs/gpu.md, "Several devices").
 */
public final class DataParallelEngine implements Engine {
    private final List<Engine> replicas;
    /** One thread per replica: replica k is always driven from lane k while the step runs. */
    private final List<ExecutorService> lanes;
    private final Network net;
    private Gradients summed;
    private boolean closed;

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
        List<ExecutorService> made = new ArrayList<>();
        for (int k = 0; k < this.replicas.size(); k++) {
            String name = "replica-" + k;
            made.add(Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, name);
                t.setDaemon(true);
                return t;
            }));
        }
        this.lanes = List.copyOf(made);
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

    /** computeGradients then applyGradients, with the summed gradients set and applied in one pass over the lanes. */
    @Override
    public void trainBatch(int start, int rows, double learningRate) {
        Gradients sum = sliceGradients(start, rows, 0);
        parallel(k -> {
            Engine r = replicas.get(k);
            r.setGradients(sum);
            r.applyGradients(learningRate);
        });
        summed = sum;
    }

    /**
     * Replica k computes slice k (rows firstRow + sliceStart(k) .. of the batch) on its lane and
     * copies its gradients out; the host sums them weighted by rows in the order k = 0..N-1 and
     * hands the sum to every replica, ready for {@link #applyGradients}.
     */
    @Override
    public void computeGradients(int start, int rows, int firstRow) {
        Gradients sum = sliceGradients(start, rows, firstRow);
        parallel(k -> replicas.get(k).setGradients(sum));
        summed = sum;
    }

    /** Every replica's slice computed and copied out on its lane; their sum weighted by rows. */
    private Gradients sliceGradients(int start, int rows, int firstRow) {
        live();
        int n = replicas.size();
        Gradients[] parts = new Gradients[n];
        parallel(k -> {
            int sliceRows = sliceRows(rows, n, k);
            if (sliceRows > 0) {
                int offset = sliceStart(rows, n, k);
                Engine r = replicas.get(k);
                r.computeGradients(start + offset, sliceRows, firstRow + offset);
                parts[k] = r.gradients();
            }
        });
        return weightedSum(parts, rows);
    }

    /**
     * g = sum_k rows_k/rows * g_k in double, k = 0..N-1, slices of 0 rows (null) skipped. The sum
     * starts from the first slice's term (not from +0), so a single replica's gradients come back
     * bit for bit, -0 included.
     */
    static Gradients weightedSum(Gradients[] parts, int rows) {
        Gradients sum = null;
        double[] into = null;
        for (Gradients part : parts) {
            if (part == null) {
                continue;
            }
            double weight = (double) part.rows() / rows;
            double[] v = part.values();
            if (sum == null) {
                sum = new Gradients(part.network());
                into = sum.values();
                for (int i = 0; i < v.length; i++) {
                    into[i] = weight * v[i];
                }
            } else {
                for (int i = 0; i < v.length; i++) {
                    into[i] += weight * v[i];
                }
            }
        }
        if (sum == null) {
            throw new IllegalArgumentException("a batch of at least one row, got " + rows);
        }
        sum.setRows(rows);
        return sum;
    }

    /** The summed gradients of the last {@link #computeGradients} (or those set), copied out. */
    @Override
    public Gradients gradients() {
        live();
        if (summed == null) {
            return replicas.get(0).gradients();
        }
        return summed.copy();
    }

    @Override
    public void setGradients(Gradients gradients) {
        live();
        EngineInputs.checkNetwork(net, gradients.network(), "gradients are");
        Gradients copy = gradients.copy();
        parallel(k -> replicas.get(k).setGradients(copy));
        summed = copy;
    }

    /** Every replica takes the same update from the same buffer, each on its lane. */
    @Override
    public void applyGradients(double learningRate) {
        live();
        parallel(k -> replicas.get(k).applyGradients(learningRate));
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
        if (summed == null) {
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
        for (ExecutorService lane : lanes) {
            lane.shutdownNow();
        }
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
     * A task per replica k, each on lane k; returns when all are done, then throws the first
     * failure (by k) as a {@link ReplicaException} naming the replica.
     */
    private void parallel(java.util.function.IntConsumer task) {
        if (replicas.size() == 1) {
            try {
                task.accept(0);
            } catch (RuntimeException e) {
                throw new ReplicaException(0, replicas.get(0).description(), e);
            }
            return;
        }
        List<Future<?>> running = new ArrayList<>();
        for (int k = 0; k < replicas.size(); k++) {
            int kk = k;
            running.add(lanes.get(k).submit(() -> task.accept(kk)));
        }
        RuntimeException failure = null;
        for (int k = 0; k < running.size(); k++) {
            try {
                running.get(k).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("interrupted while the replicas ran", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                if (failure == null) {
                    failure = new ReplicaException(k, replicas.get(k).description(), e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
