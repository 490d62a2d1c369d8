package backpropcl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class EpochTimesTest {

    @Test
    void oddCountTakesTheMiddleOfTheEpochsAfterTheFirst() {
        assertEquals(2.0, EpochTimes.medianAfterFirst(List.of(10.0, 3.0, 1.0, 2.0)));
    }

    @Test
    void evenCountAveragesTheTwoMiddleValues() {
        assertEquals(2.5, EpochTimes.medianAfterFirst(List.of(10.0, 4.0, 1.0, 3.0, 2.0)));
    }

    @Test
    void theFirstEpochIsLeftOutEvenWhenItIsTheFastest() {
        assertEquals(6.0, EpochTimes.medianAfterFirst(List.of(0.1, 5.0, 6.0, 7.0)));
        assertEquals(5.0, EpochTimes.medianAfterFirst(List.of(0.1, 5.0)));
    }

    @Test
    void needsTwoEpochs() {
        assertThrows(IllegalArgumentException.class, () -> EpochTimes.medianAfterFirst(List.of(1.0)));
    }
}
