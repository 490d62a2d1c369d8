package backpropcl.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import org.junit.jupiter.api.Test;

/** The batch's buffers are checked before they are allocated: one Java array per layer, and the heap. */
class MemoryBudgetTest {
    private static Network net(String arch) {
        return Network.of(arch, Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
    }

    @Test
    void aBatchWhoseWidestLayerOverflowsAnArrayIsRefused() {
        UserError e = assertThrows(UserError.class, () -> MemoryBudget.checkBatchArrays(net("784-1-300000-10"), 60000, 60000));
        assertEquals("--batch 60000: a batch of 60,000 samples through a layer 300,000 wide is 18,000,000,000 values, more than "
                + "one array holds (2,147,483,639); give --batch 7158 or less", e.getMessage());
        assertDoesNotThrow(() -> MemoryBudget.checkBatchArrays(net("784-1-300000-10"), 7158, 7158));
    }

    @Test
    void aBatchWhoseActivationsDoNotFitInTheHeapIsRefused() {
        // 60,000 rows x (784 + 8,000 + 10) units x 24 bytes (the reference's z, a and delta in double): 12.7 GB.
        UserError e = assertThrows(UserError.class,
                () -> MemoryBudget.checkBatch(net("784-8000-10"), "reference", 60000, 60000, 4_000_000_000L, 0));
        assertEquals("--batch 60000: a batch of 60,000 samples through 784-8000-10 needs about 12.7 GB of memory on the reference "
                + "engine (and 0.2 GB for the parameters), more than the 4.0 GB this JVM can use; give --batch 17867 or less, or a "
                + "larger heap with BACKPROP_CL_JAVA_OPTS=-Xmx...", e.getMessage());
        assertDoesNotThrow(() -> MemoryBudget.checkBatch(net("784-8000-10"), "reference", 60000, 10000, 4_000_000_000L, 0));
        assertDoesNotThrow(() -> MemoryBudget.checkBatch(net("784-8000-10"), "opencl", 60000, 60000, 4_000_000_000L, 0),
                "the OpenCL engine keeps its activations on the device");
    }
}
