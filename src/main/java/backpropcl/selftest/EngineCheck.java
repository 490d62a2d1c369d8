package backpropcl.selftest;

import backpropcl.engine.RelativeError;
import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.model.Layer;
import backpropcl.model.Network;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.train.Shuffle;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one engine against another (the reference) through the public {@link Engine} API only,
 * so it covers whatever kernels the engine launches:
 * <ol>
 *   <li>each checked step starts both engines from the candidate's current parameters, runs one
 *       trainBatch, and compares every layer's trace (z, a, delta, gradients, W and b after; for a
 *       network with conv, maxpool or batchnorm layers every tensor of {@link Engine#traceLayers}
 *       that both engines trace, the conv, maxpool and batchnorm layers' under their own roles);
 *   <li>evaluate() on each of the case's data sets, from the same parameters;
 *   <li>a training run from the initial parameters with nothing read back until its end, then the
 *       weights and biases of every layer.
 * </ol>
 * The result is the worst error per {@link Role}.
 */
public final class EngineCheck {
    private EngineCheck() {
    }

    /**
     * Runs the case. Both engines must be for {@code c.network()}; their parameters are replaced.
     *
     * @return one result per role that the case exercises, in {@link Role} order
     */
    public static List<RoleResult> run(CheckCase c, Engine candidate, Engine reference) {
        Worst worst = new Worst();
        checkedSteps(c, candidate, reference, worst);
        evaluations(c, candidate, reference, worst);
        if (c.trainingSteps() > 0) {
            training(c, candidate, reference, worst);
        }
        return worst.results();
    }

    private static void checkedSteps(CheckCase c, Engine candidate, Engine reference, Worst worst) {
        int[] order = c.shuffled() ? Shuffle.permutation(c.train().count(), c.seed(), 0) : null;
        candidate.setParameters(c.initial());
        for (Engine e : new Engine[] {candidate, reference}) {
            e.setTrainingData(c.train());
            e.setOrder(order);
            e.setSeed(c.seed());   // the same dropout masks on both
        }
        int start = 0;
        int layers = c.network().denseLayers();
        for (int s = 0; s < c.batches().size(); s++) {
            int rows = c.batches().get(s);
            // The same starting point, so that each step is checked alone and errors do not pile up
            // (the candidate too gets its float32 copy, in case it keeps more precision inside).
            sameParameters(candidate, reference);
            candidate.trainBatch(start, rows, c.learningRate());
            reference.trainBatch(start, rows, c.learningRate());
            String step = "step " + (s + 1) + " (batch " + rows + ")";
            if (c.network().isConvolutional()) {
                everyLayer(c.network(), candidate, reference, step, worst);
            }
            for (int l = 0; l < layers && !c.network().isConvolutional(); l++) {
                LayerTrace got = candidate.trace(l);
                LayerTrace want = reference.trace(l);
                String at = step + ", layer " + l;
                worst.note(Role.FORWARD, RelativeError.of(got.z(), want.z()), at);
                worst.note(Role.ACTIVATION, RelativeError.of(got.a(), want.a()), at);
                worst.note(l == layers - 1 ? Role.OUTPUT_ERROR : Role.BACKWARD, RelativeError.of(got.delta(), want.delta()), at);
                worst.note(Role.WEIGHT_GRADIENTS, RelativeError.of(got.gradW(), want.gradW()), at);
                worst.note(Role.BIAS_GRADIENTS, RelativeError.of(got.gradB(), want.gradB()), at);
                worst.note(Role.SGD_UPDATE, RelativeError.of(got.weights(), want.weights()), at + " W");
                worst.note(Role.SGD_UPDATE, RelativeError.of(got.biases(), want.biases()), at + " b");
            }
            start += rows;
        }
    }

    /** Every tensor both engines trace, matched by layer and name, under the role of the layer's kind. */
    private static void everyLayer(Network net, Engine candidate, Engine reference, String step, Worst worst) {
        Map<String, LayerTrace.Tensor> want = new HashMap<>();
        for (LayerTrace.Tensor t : reference.traceLayers()) {
            want.put(t.layer() + " " + t.name(), t);
        }
        int lastDense = net.denseIndex(net.denseLayers() - 1);
        for (LayerTrace.Tensor t : candidate.traceLayers()) {
            LayerTrace.Tensor w = want.get(t.layer() + " " + t.name());
            if (w != null) {
                Layer layer = net.layers().get(t.layer());
                worst.note(role(layer, t, t.layer() == lastDense), RelativeError.of(t.values(), w.values()),
                        step + ", layer " + t.layer() + " " + layer.spec() + " " + t.name());
            }
        }
    }

    /** The role of a traced tensor of {@code layer}: its kind's for conv, maxpool and batchnorm, else the dense roles'. */
    private static Role role(Layer layer, LayerTrace.Tensor t, boolean output) {
        if (layer instanceof Layer.Conv) {
            return t.name().equals("weight") || t.name().equals("bias") ? Role.SGD_UPDATE : Role.CONV;
        }
        if (layer instanceof Layer.MaxPool) {
            return Role.MAXPOOL;
        }
        if (layer instanceof Layer.BatchNorm) {
            return t.name().equals("weight") || t.name().equals("bias") ? Role.SGD_UPDATE : Role.BATCHNORM;
        }
        return switch (t.name()) {
            case "out" -> layer instanceof Layer.Dense ? Role.FORWARD : Role.ACTIVATION;
            case "grad out" -> output ? Role.OUTPUT_ERROR : Role.BACKWARD;
            case "grad weight" -> Role.WEIGHT_GRADIENTS;
            case "grad bias" -> Role.BIAS_GRADIENTS;
            default -> Role.SGD_UPDATE;
        };
    }

    private static void evaluations(CheckCase c, Engine candidate, Engine reference, Worst worst) {
        sameParameters(candidate, reference);
        for (Dataset d : c.evaluations()) {
            Evaluation got = candidate.evaluate(d);
            Evaluation want = reference.evaluate(d);
            String at = "evaluate " + (d == c.train() ? "the training set" : d.name()) + " (" + d.count() + " samples)";
            if (got.count() != want.count()) {
                worst.note(Role.METRICS_CORRECT, Double.POSITIVE_INFINITY, at + ": counted " + got.count() + " samples");
                continue;
            }
            worst.note(Role.METRICS_COST, RelativeError.of(got.meanCost(), want.meanCost()), at);
            double differ = d.count() == 0 ? 0 : (double) Math.abs(got.correct() - want.correct()) / d.count();
            worst.note(Role.METRICS_CORRECT, differ, at + ": " + got.correct() + " vs " + want.correct() + " correct");
        }
    }

    private static void training(CheckCase c, Engine candidate, Engine reference, Worst worst) {
        for (Engine e : new Engine[] {candidate, reference}) {
            e.setParameters(c.initial());
            int count = c.train().count();
            int done = 0;
            for (int epoch = 1; done < c.trainingSteps(); epoch++) {
                e.setOrder(Shuffle.permutation(count, c.seed(), epoch));
                for (int start = 0; start < count && done < c.trainingSteps(); start += c.trainingBatch(), done++) {
                    e.trainBatch(start, Math.min(c.trainingBatch(), count - start), c.learningRate());
                }
            }
        }
        String after = "after " + c.trainingSteps() + " steps of " + c.trainingBatch();
        if (c.network().isConvolutional()) {
            // Every tensor, batchnorm's running statistics included.
            Parameters got = candidate.parameters();
            Parameters want = reference.parameters();
            for (ParameterLayout.Tensor t : ParameterLayout.of(c.network()).tensors()) {
                worst.note(Role.TRAINING, RelativeError.of(doubles(t.copyOut(got.values())), doubles(t.copyOut(want.values()))),
                        after + ", " + t.name());
            }
            return;
        }
        for (int l = 0; l < c.network().denseLayers(); l++) {
            LayerTrace got = candidate.trace(l);
            LayerTrace want = reference.trace(l);
            worst.note(Role.TRAINING, RelativeError.of(got.weights(), want.weights()), after + ", layer " + l + " W");
            worst.note(Role.TRAINING, RelativeError.of(got.biases(), want.biases()), after + ", layer " + l + " b");
        }
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void sameParameters(Engine candidate, Engine reference) {
        Parameters p = candidate.parameters();
        candidate.setParameters(p);
        reference.setParameters(p);
    }

    /** The largest error per role and where it was. */
    private static final class Worst {
        private final Map<Role, RoleResult> byRole = new EnumMap<>(Role.class);

        void note(Role role, double error, String where) {
            double e = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
            RoleResult old = byRole.get(role);
            if (old == null || e > old.error()) {
                byRole.put(role, new RoleResult(role, e, where));
            }
        }

        List<RoleResult> results() {
            return new ArrayList<>(byRole.values());
        }
    }
}
