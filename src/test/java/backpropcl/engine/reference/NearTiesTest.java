package backpropcl.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.Dataset;
import backpropcl.engine.LayerTrace;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import backpropcl.model.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reference following another engine's choice at a maxpool's near-tie and a relu's kink
 * ({@link ReferenceEngine#preferChoices}) only where its own numbers are within
 * {@link ReferenceEngine#TIE_TOLERANCE} of the layer's largest input, and for one step only.
 */
class NearTiesTest {
    private static final Network POOL = Network.parse(new Shape(1, 2, 2), "conv:1x1x1,maxpool:2,flatten,dense:1", Cost.QUADRATIC);
    private static final Network RELU = Network.parse(new Shape(1, 1, 2), "conv:1x1x1,relu,flatten,dense:1", Cost.QUADRATIC);

    @Test
    void aWindowOneFloatUlpApartFollowsTheOtherEngineForOneStep() {
        float five = 5f;
        float fiveUp = Math.nextUp(five);   // 4.8e-7 above: the reference's first maximum is the third element
        try (ReferenceEngine e = engine(POOL, new float[] {3, five, fiveUp, 1})) {
            // The other engine had the second element the larger (its rounding put it there).
            e.preferChoices(List.of(new LayerTrace.Tensor(0, "out", new double[] {3, 5.0000005, 5, 1})));
            e.computeGradients(0, 1);
            // dC/d(pool output) = delta * W, all of it to the followed element.
            double g = tensor(e, 0, "grad out")[1];
            assertTrue(g != 0, "the gradient moved to the other engine's choice");
            assertArrayEquals(new double[] {0, g, 0, 0}, tensor(e, 0, "grad out"));
            NearTies t = e.choiceTies().get(0);
            assertEquals(List.of("maxpool", 1L, 1, 1, 1, 0), List.of(t.kind(), t.step(), t.layer(), t.count(), t.followed(), t.refused()));
            assertEquals((fiveUp - five) / (double) fiveUp, t.largestFollowedGap(), 1e-12);

            // Cleared after the step: the next one takes the first maximum again and reports nothing.
            e.computeGradients(0, 1);
            assertArrayEquals(new double[] {0, 0, g, 0}, tensor(e, 0, "grad out"), Math.abs(g) * 1e-6);   // its output is one ulp larger
            assertEquals(List.of(), e.choiceTies());
        }
    }

    @Test
    void aRealGapKeepsTheFirstMaximum() {
        try (ReferenceEngine e = engine(POOL, new float[] {3, 5, 5.005f, 1})) {   // 1e-3 apart
            e.preferChoices(List.of(new LayerTrace.Tensor(0, "out", new double[] {3, 5.01, 5, 1})));
            e.computeGradients(0, 1);
            double[] grad = tensor(e, 0, "grad out");
            assertEquals(0, grad[1]);
            assertTrue(grad[2] != 0);
            NearTies t = e.choiceTies().get(0);
            assertEquals(List.of(0, 1), List.of(t.followed(), t.refused()));
            assertEquals((5.005f - 5.0) / 5.005f, t.smallestRefusedGap(), 1e-7);
            assertTrue(t.describe("cpu").contains("1 of 1 windows where cpu's numbers differ by"), t.describe("cpu"));
        }
    }

    @Test
    void aReluInputWithinRoundingOfZeroTakesTheOtherEnginesSide() {
        try (ReferenceEngine e = engine(RELU, new float[] {4, 1e-7f})) {
            double own = ownGradient(e);
            assertTrue(own != 0);
            // The other engine's z was just below zero: derivative 0 there.
            e.preferChoices(List.of(new LayerTrace.Tensor(0, "out", new double[] {4, -1e-8})));
            e.computeGradients(0, 1);
            assertEquals(0, tensor(e, 0, "grad out")[1]);
            NearTies t = e.choiceTies().get(0);
            assertEquals(List.of("relu", 1, 1, 0), List.of(t.kind(), t.layer(), t.followed(), t.refused()));
        }
        try (ReferenceEngine e = engine(RELU, new float[] {4, 0.01f})) {   // 2.5e-3 of the largest: a real difference
            double own = ownGradient(e);
            e.preferChoices(List.of(new LayerTrace.Tensor(0, "out", new double[] {4, -0.01})));
            e.computeGradients(0, 1);
            assertEquals(own, tensor(e, 0, "grad out")[1]);
            assertEquals(1, e.choiceTies().get(0).refused());
        }
    }

    /** dC/dz of the relu's second input, without a preference. */
    private static double ownGradient(ReferenceEngine e) {
        e.computeGradients(0, 1);
        return tensor(e, 0, "grad out")[1];
    }

    /** One row x (label 0), conv weight 1, dense weights 2, all else 0. */
    private static ReferenceEngine engine(Network net, float[] x) {
        Parameters p = Parameters.zeros(net);
        p.set("layers.0.weight", new float[] {1});
        float[] w = new float[p.layout().weight(0).length()];
        java.util.Arrays.fill(w, 2f);
        p.setWeights(0, w);
        ReferenceEngine e = new ReferenceEngine(net, p);
        e.setTrainingData(new Dataset("one row", x, new int[] {0}, 1, x.length, 1));
        e.setOrder(new int[] {0});
        return e;
    }

    private static double[] tensor(ReferenceEngine e, int layer, String name) {
        return e.traceLayers().stream().filter(t -> t.layer() == layer && t.name().equals(name)).findFirst().orElseThrow().values();
    }
}
