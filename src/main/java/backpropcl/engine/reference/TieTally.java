package backpropcl.engine.reference;

/** The count a layer keeps through one step of {@link ReferenceEngine#preferChoices}: see {@link NearTies}. */
final class TieTally {
    private int followed;
    private double largestFollowedGap;
    private int refused;
    private double smallestRefusedGap = Double.NaN;

    /**
     * Counts one place where the other engine chose otherwise, {@code gap} apart (as a fraction of
     * the layer's largest input); returns whether it is a near-tie to follow.
     */
    boolean near(double gap) {
        if (gap <= ReferenceEngine.TIE_TOLERANCE) {
            followed++;
            largestFollowedGap = Math.max(largestFollowedGap, gap);
            return true;
        }
        refused++;
        smallestRefusedGap = Double.isNaN(smallestRefusedGap) ? gap : Math.min(smallestRefusedGap, gap);
        return false;
    }

    NearTies report(String kind, long step, int layer, int count) {
        return new NearTies(kind, step, layer, count, followed, largestFollowedGap, refused, smallestRefusedGap);
    }
}
