package backpropcl.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void constantStepAndCosine() {
        assertEquals(0.5, LearningRateSchedule.constant(0.5).rate(7, 3, 10, 100), 0);
        LearningRateSchedule step = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 1.0, 3, 0.5, 0, 0);
        assertEquals(1.0, step.rate(2, 99, 10, 100), 0);
        assertEquals(0.5, step.rate(3, 0, 10, 100), 0);
        assertEquals(0.25, step.rate(6, 50, 10, 100), 0);
        LearningRateSchedule cos = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1.0, 1, 1, 0.1, 0);
        assertEquals(1.0, cos.rate(0, 0, 4, 10), 0);
        assertEquals(0.55, cos.rate(2, 0, 4, 10), 1e-15, "half way: the mean of lr and min-lr");
        assertEquals(0.1 + 0.9 * (1 + Math.cos(Math.PI * 39 / 40)) / 2, cos.rate(3, 9, 4, 10), 1e-15);
    }

    @Test
    void warmupRisesLinearlyThenHandsOver() {
        LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.8, 1, 1, 0, 1);
        assertEquals(0.2, s.rate(0, 0, 5, 4), 1e-15);
        assertEquals(0.4, s.rate(0, 1, 5, 4), 1e-15);
        assertEquals(0.8, s.rate(0, 3, 5, 4), 1e-15);
        assertEquals(0.8, s.rate(1, 0, 5, 4), 1e-15, "the cosine starts at lr after the warm-up");
        assertEquals(0.4, s.rate(3, 0, 5, 4), 1e-15, "half way through the steps after the warm-up");
    }

    @Test
    void metadataRoundTripsAndBadValuesAreRefused() {
        LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.3, 4, 0.7, 0, 2);
        assertEquals(s, LearningRateSchedule.fromMetadata(s.toMetadata()));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.3, 0, 0.7, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.3, 1, 1.5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0.3, 1, 1, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 0.3, 1, 1, 0, -1));
        assertEquals("unknown --lr-schedule 'linear'; expected constant, step or cosine",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Kind.parse("linear")).getMessage());
    }
}
