package backpropcl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import org.junit.jupiter.api.Test;

class FlopCountTest {

    @Test
    void tinyNetworkCountedByHand() {
        // 2-3-2. Layer 0 (m=2, n=3, mn=6): forward 12 + weight gradient 12, no backward = 24.
        // Layer 1 (m=3, n=2, mn=6): forward 12 + backward 12 + weight gradient 12 = 36.
        Network net = Network.of("2-3-2", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        assertEquals(60, FlopCount.perSample(net));
        // Update: 6 + 3 + 6 + 2 = 17 parameters, a multiply and a subtract each.
        assertEquals(34, FlopCount.perUpdate(net));
        // 5 samples in batches of 2: 3 updates (2, 2, 1).
        assertEquals(5 * 60 + 3 * 34, FlopCount.perEpoch(net, 5, 2));
    }

    @Test
    void seedNetworkCountedByHand() {
        // 784-16-16-10: mn = 12544, 256, 160.
        // 4 * 12544 + 6 * 256 + 6 * 160 = 50176 + 1536 + 960.
        Network w1 = Workloads.W1.network();
        assertEquals(52_672, FlopCount.perSample(w1));
        // 12544 + 16 + 256 + 16 + 160 + 10 = 13002 parameters.
        assertEquals(26_004, FlopCount.perUpdate(w1));
        assertEquals(60_000 * 52_672.0 + 6_000 * 26_004.0, FlopCount.perEpoch(w1, 60_000, 10));
    }

    @Test
    void singleLayerHasNoBackwardProduct() {
        Network net = Network.of("7-5", Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
        assertEquals(4 * 35, FlopCount.perSample(net));
    }
}
