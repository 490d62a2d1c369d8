package backpropcl.engine;

/**
 * The result of running a network over a data set.
 *
 * @param meanCost the cost averaged over samples
 * @param correct  samples whose largest output is at their label
 * @param count    samples evaluated
 */
public record Evaluation(double meanCost, long correct, long count) {

    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }
}
