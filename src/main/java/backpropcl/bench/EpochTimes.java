package backpropcl.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The summary the benchmark takes of its epochs' wall times. */
public final class EpochTimes {
    private EpochTimes() {
    }

    /**
     * The median of the epochs after the first, in seconds. The first epoch is left out because it
     * pays for warm-up: JIT compilation, kernel builds, first-touch page faults. An even count takes
     * the mean of the two middle values.
     */
    public static double medianAfterFirst(List<Double> seconds) {
        if (seconds.size() < 2) {
            throw new IllegalArgumentException("need at least 2 epochs to leave out the first, got " + seconds.size());
        }
        List<Double> rest = new ArrayList<>(seconds.subList(1, seconds.size()));
        Collections.sort(rest);
        int n = rest.size();
        return n % 2 == 1 ? rest.get(n / 2) : (rest.get(n / 2 - 1) + rest.get(n / 2)) / 2;
    }
}
