package backpropcl.engine.reference;

import java.util.Locale;

/**
 * What one layer of the reference made of another engine's choices at a point where its function
 * is not smooth, in one training step ({@link ReferenceEngine#preferChoices}): a maxpool window's
 * maximum, or the side of zero of a relu's input (which decides its derivative). Of the layer's
 * windows (inputs, for a relu), how many the other engine resolved differently, how many of those
 * were near-ties that the reference followed, and how many it refused because its own values are
 * really apart there.
 *
 * @param kind               "maxpool" or "relu"
 * @param step               the training step, 1-based
 * @param layer              the layer's index in the layer list
 * @param count              windows (maxpool) or inputs (relu) in the step
 * @param followed           where the reference took the other engine's choice
 * @param largestFollowedGap the largest gap among those: (maximum - value there) for a maxpool, |input| for a
 *                           relu, over the largest |input| of the layer in the step, in double
 * @param refused            where the other engine chose differently with a gap over the tolerance
 * @param smallestRefusedGap the smallest gap among those (NaN when none)
 */
public record NearTies(String kind, long step, int layer, int count, int followed, double largestFollowedGap, int refused,
                       double smallestRefusedGap) {

    /** Whether the two engines chose the same everywhere. */
    public boolean agreed() {
        return followed == 0 && refused == 0;
    }

    /**
     * One line, e.g. "maxpool layer 7, step 1: 1 of 200,704 windows near-tied (values up to 2.4e-10 of the layer's
     * largest apart), followed cpu's numbers". The other engine's choice is the one its own numbers give by the
     * same rule (first maximum; above zero), not what its code did with them: a wrong choice there still fails.
     */
    public String describe(String otherEngine) {
        String units = kind.equals("relu") ? "inputs" : "windows";
        String near = kind.equals("relu") ? "near zero (up to %.1e of the layer's largest)" : "near-tied (values up to %.1e of the layer's largest apart)";
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s layer %d, step %d: ", kind, layer, step));
        if (agreed()) {
            return s.append(String.format(Locale.ROOT, "%s's numbers agree with the reference's in all %,d %s", otherEngine, count, units)).toString();
        }
        if (followed > 0) {
            s.append(String.format(Locale.ROOT, "%,d of %,d %s " + near + ", followed %s's numbers",
                    followed, count, units, largestFollowedGap, otherEngine));
        }
        if (refused > 0) {
            s.append(followed > 0 ? "; " : "").append(String.format(Locale.ROOT,
                    "%,d of %,d %s where %s's numbers differ by %.1e or more, kept the reference's",
                    refused, count, units, otherEngine, smallestRefusedGap));
        }
        return s.toString();
    }
}
