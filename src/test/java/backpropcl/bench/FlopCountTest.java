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

    @Test
    void leNet5CountedByHand() {
        // Products (multiply-adds) per sample, F*C*K*K*H'*W' for conv, m*n for dense:
        //   conv 6x5x5:p2 on 1x28x28 -> 6x28x28:  6*1*25*784  = 117,600  first with parameters: forward + weight gradient, 4x
        //   conv 16x5x5 on 6x14x14 -> 16x10x10:  16*6*25*100 = 240,000  6x
        //   dense 400-120: 48,000; 120-84: 10,080; 84-10: 840                 6x each
        // 470,400 + 1,440,000 + 288,000 + 60,480 + 5,040; relu and maxpool are not counted.
        Network w4 = Workloads.W4.network();
        assertEquals(2_263_920, FlopCount.perSample(w4));
        // Parameters: 150 + 6, 2,400 + 16, 48,000 + 120, 10,080 + 84, 840 + 10 = 61,706.
        assertEquals(61_706, w4.parameterCount());
        assertEquals(123_412, FlopCount.perUpdate(w4));
        assertEquals(2_000 * 2_263_920.0 + 63 * 123_412.0, FlopCount.perEpoch(w4, 2_000, 32));
    }

    @Test
    void batchNormIsUpdatedButNotCountedPerSample() {
        // W5: conv 32x3x3:p1 on 1x28x28: 32*9*784 = 225,792 (4x); conv 64x3x3:p1 on 32x14x14: 64*32*9*196 = 3,612,672 (6x);
        // dense 3136-128: 401,408 (6x); 128-10: 1,280 (6x). Batchnorm and maxpool: nothing.
        Network w5 = Workloads.W5.network();
        assertEquals(903_168 + 21_676_032 + 2_408_448 + 7_680, FlopCount.perSample(w5));
        // Trainable: 288 + 32, gamma and beta 2 * 32, 18,432 + 64, 2 * 64, 401,408 + 128, 1,280 + 10 = 421,834.
        assertEquals(2 * 421_834, FlopCount.perUpdate(w5));
    }
}
