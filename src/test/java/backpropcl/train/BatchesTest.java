package backpropcl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backpropcl.data.DataSplit;
import backpropcl.engine.reference.ReferenceEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Parameters;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch counts that do not overflow (issue 12, family 7): --batch 2147483647 trained zero batches. */
class BatchesTest {
    private static final Network NET = Network.of("4-6-3", Activation.TANH, Activation.SOFTMAX, Cost.CROSS_ENTROPY);

    @Test
    void batchCountsInLongArithmetic() {
        assertEquals(4, Batches.count(10, 3));
        assertEquals(1, Batches.count(8000, Integer.MAX_VALUE), "(n + batch - 1) / batch wrapped to 0 in int");
        assertEquals(1, Batches.count(Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals(Integer.MAX_VALUE, Batches.count(Integer.MAX_VALUE, 1));
        assertEquals(0, Batches.count(0, 5));
        assertThrows(IllegalArgumentException.class, () -> Batches.count(5, 0));
    }

    /** A batch larger than the set is one batch of all of it (PyTorch's DataLoader), bitwise as a batch of exactly n. */
    @Test
    void aBatchOfIntMaxTrainsOneBatchOfEverySample() {
        DataSplit data = TrainerTest.blobs(50, 4);
        Parameters init = Init.XAVIER.initialise(NET, 1);
        Parameters huge = train(init, data, Integer.MAX_VALUE);
        Parameters whole = train(init, data, 50);
        assertTrue(huge.bitwiseEquals(whole), "--batch 2147483647 is not one batch of the 50 samples");
        assertFalse(huge.bitwiseEquals(init), "nothing was trained");
    }

    private static Parameters train(Parameters init, DataSplit data, int batch) {
        try (ReferenceEngine e = new ReferenceEngine(NET, init)) {
            List<EpochResult> r = new Trainer(new TrainingConfig(2, batch, 0.5, true, 7, false)).run(e, data, Trainer.Start.fresh(), new TrainingListener() { }).epochs();
            assertEquals(2, r.size());
            return e.parameters();
        }
    }
}
