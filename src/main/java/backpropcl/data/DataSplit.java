package backpropcl.data;

/** A training set and the test set that goes with it. */
public record DataSplit(String name, Dataset train, Dataset test) {
}
