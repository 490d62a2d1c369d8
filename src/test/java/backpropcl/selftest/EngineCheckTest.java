package backpropcl.selftest;

import backpropcl.testing.ForwardingEngine;
import backpropcl.engine.RelativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.LayerTrace;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * EngineCheck without OpenCL: the reference against itself passes every role; a candidate that is
 * wrong in one tensor fails exactly the role that covers it.
 */
class EngineCheckTest {
    private static final Network NET = new Network(new int[] {6, 5, 4, 3},
            new Activation[] {Activation.TANH, Activation.RELU, Activation.SOFTMAX}, Cost.CROSS_ENTROPY);

    private static CheckCase smallCase() {
        Dataset train = SyntheticData.random("train", 1, 40, 6, 3, true);
        Dataset other = SyntheticData.random("other", 2, 23, 6, 3, false);
        return new CheckCase("test", Init.XAVIER.initialise(NET, 3), train, List.of(train, other), List.of(7, 2), true, 0.5, 12, 9, 4);
    }

    private static Map<Role, RoleResult> check(Engine candidate) {
        CheckCase c = smallCase();
        try (ReferenceEngine ref = new ReferenceEngine(NET, c.initial())) {
            return EngineCheck.run(c, candidate, ref).stream().collect(Collectors.toMap(RoleResult::role, r -> r));
        }
    }

    @Test
    void theReferenceAgainstItselfPassesEveryRoleExactly() {
        Map<Role, RoleResult> results;
        try (ReferenceEngine same = new ReferenceEngine(NET, smallCase().initial())) {
            results = check(same);
        }
        assertEquals(EnumSet.complementOf(EnumSet.of(Role.CONV, Role.MAXPOOL, Role.BATCHNORM)), results.keySet(),
                "every role of a network with hidden layers but the image layers'");
        for (RoleResult r : results.values()) {
            assertTrue(r.pass(), r.toString());
            assertEquals(0.0, r.error(), r.toString());
        }
    }

    /** A conv network with max pooling and batch norm, the reference against itself: every role, exactly. */
    @Test
    void aConvNetworkHasEveryRoleAndTheReferencePassesThemExactly() {
        Network conv = Network.parse(new Shape(1, 6, 6), "conv:2x3x3:p1,relu,maxpool:2,batchnorm,flatten,dense:5,tanh,dense:3,softmax",
                Cost.CROSS_ENTROPY);
        Parameters p = Init.HE.initialise(conv, 2);
        Dataset train = SyntheticData.random("train", 1, 30, 36, 3, true);
        CheckCase c = new CheckCase("conv", p, train, List.of(train), List.of(7, 2), true, 0.1, 6, 5, 4);
        try (ReferenceEngine a = new ReferenceEngine(conv, p); ReferenceEngine b = new ReferenceEngine(conv, p)) {
            List<RoleResult> results = EngineCheck.run(c, a, b);
            assertEquals(EnumSet.allOf(Role.class), results.stream().map(RoleResult::role).collect(Collectors.toSet()));
            for (RoleResult r : results) {
                assertEquals(0.0, r.error(), r.toString());
            }
        }
    }

    @Test
    void aSingleLayerNetworkHasNoBackwardRole() {
        Network single = Network.of("6-3", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        Parameters p = Init.NORMAL.initialise(single, 1);
        Dataset data = SyntheticData.random("train", 1, 10, 6, 3, false);
        CheckCase c = new CheckCase("single", p, data, List.of(data), List.of(4), false, 1.0, 0, 0, 1);
        try (ReferenceEngine a = new ReferenceEngine(single, p); ReferenceEngine b = new ReferenceEngine(single, p)) {
            Set<Role> roles = EngineCheck.run(c, a, b).stream().map(RoleResult::role).collect(Collectors.toSet());
            assertFalse(roles.contains(Role.BACKWARD));
            assertFalse(roles.contains(Role.TRAINING), "no training run was asked for");
            assertTrue(roles.contains(Role.OUTPUT_ERROR));
        }
    }

    /** Each per-step role, and a candidate whose trace is off by 0.1% in exactly the tensors of that role. */
    @ParameterizedTest
    @EnumSource(value = Role.class, names = {"FORWARD", "ACTIVATION", "OUTPUT_ERROR", "BACKWARD", "WEIGHT_GRADIENTS", "BIAS_GRADIENTS"})
    void aWrongTensorFailsItsRoleAndNoOther(Role role) {
        Map<Role, RoleResult> results;
        try (Skewed candidate = new Skewed(smallCase().initial(), role, 1e-3)) {
            results = check(candidate);
        }
        RoleResult hit = results.get(role);
        assertFalse(hit.pass(), hit.toString());
        assertEquals(1e-3, hit.error(), 1e-9, hit.toString());
        for (RoleResult r : results.values()) {
            if (r.role() != role) {
                assertTrue(r.pass(), "only " + role + " should fail: " + r);
            }
        }
    }

    @Test
    void wrongUpdatedWeightsFailTheUpdateAndTheTrainingRun() {
        Map<Role, RoleResult> results;
        try (Skewed candidate = new Skewed(smallCase().initial(), Role.SGD_UPDATE, 1e-3)) {
            results = check(candidate);
        }
        assertFalse(results.get(Role.SGD_UPDATE).pass());
        assertFalse(results.get(Role.TRAINING).pass());
        assertTrue(results.get(Role.FORWARD).pass());
    }

    @Test
    void aNanAnywhereIsAnInfiniteError() {
        Map<Role, RoleResult> results;
        try (Skewed candidate = new Skewed(smallCase().initial(), Role.BIAS_GRADIENTS, Double.NaN)) {
            results = check(candidate);
        }
        assertEquals(Double.POSITIVE_INFINITY, results.get(Role.BIAS_GRADIENTS).error());
        assertFalse(results.get(Role.BIAS_GRADIENTS).pass());
    }

    @Test
    void wrongMetricsFailTheirRoles() {
        Map<Role, RoleResult> cost;
        Map<Role, RoleResult> correct;
        try (Skewed candidate = new Skewed(smallCase().initial(), Role.METRICS_COST, 1e-4)) {
            cost = check(candidate);
        }
        try (Skewed candidate = new Skewed(smallCase().initial(), Role.METRICS_CORRECT, 1)) {
            correct = check(candidate);
        }
        assertFalse(cost.get(Role.METRICS_COST).pass(), cost.get(Role.METRICS_COST).toString());
        assertTrue(cost.get(Role.METRICS_CORRECT).pass());
        // One answer in 23 (the smaller set) is far more than 1 in 1000.
        assertFalse(correct.get(Role.METRICS_CORRECT).pass(), correct.get(Role.METRICS_CORRECT).toString());
        assertEquals(1.0 / 23, correct.get(Role.METRICS_CORRECT).error(), 1e-12);
        assertTrue(correct.get(Role.METRICS_COST).pass());
    }

    @Test
    void relativeErrorConventions() {
        assertEquals(0.0, RelativeError.of(new double[] {1, 2}, new double[] {1, 2}));
        assertEquals(0.5, RelativeError.of(new double[] {0, 1.5}, new double[] {0, 1}), 1e-15);
        assertEquals(5.0, RelativeError.of(new double[] {3, 4}, new double[] {0, 0}), 1e-15, "absolute when the truth is zero");
        assertEquals(Double.POSITIVE_INFINITY, RelativeError.of(new double[] {Double.NaN}, new double[] {1}));
        assertEquals(Double.POSITIVE_INFINITY, RelativeError.of(new double[] {1}, new double[] {Double.POSITIVE_INFINITY}));
        assertEquals(0.25, RelativeError.of(1.25, 1.0), 1e-15);
    }

    /**
     * The reference engine, with the tensors of one role scaled by (1 + skew) on the way out (or,
     * for METRICS_CORRECT, skew added to the count): a stand-in for a device that gets one kernel wrong.
     */
    private static final class Skewed extends ForwardingEngine {
        private final Role role;
        private final double skew;

        Skewed(Parameters initial, Role role, double skew) {
            super(initial.network(), initial);
            this.role = role;
            this.skew = skew;
        }

        private double[] maybe(Role r, double[] v) {
            if (r != role) {
                return v;
            }
            double[] out = v.clone();
            for (int i = 0; i < out.length; i++) {
                out[i] = Double.isNaN(skew) ? Double.NaN : out[i] * (1 + skew);
            }
            return out;
        }

        @Override
        public LayerTrace trace(int l) {
            LayerTrace t = inner.trace(l);
            Role deltaRole = l == NET.denseLayers() - 1 ? Role.OUTPUT_ERROR : Role.BACKWARD;
            return new LayerTrace(maybe(Role.FORWARD, t.z()), maybe(Role.ACTIVATION, t.a()), maybe(deltaRole, t.delta()),
                    maybe(Role.WEIGHT_GRADIENTS, t.gradW()), maybe(Role.BIAS_GRADIENTS, t.gradB()),
                    maybe(Role.SGD_UPDATE, t.weights()), maybe(Role.SGD_UPDATE, t.biases()));
        }

        @Override
        public Evaluation evaluate(Dataset data) {
            Evaluation e = inner.evaluate(data);
            if (role == Role.METRICS_COST) {
                return new Evaluation(e.meanCost() * (1 + skew), e.correct(), e.count());
            }
            if (role == Role.METRICS_CORRECT) {
                return new Evaluation(e.meanCost(), e.correct() + (long) skew, e.count());
            }
            return e;
        }

        @Override
        public String description() {
            return "skewed " + role;
        }
    }
}
