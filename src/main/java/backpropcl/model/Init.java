package backpropcl.model;

import java.util.Locale;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Weight initialisation schemes. All run on the host from one seed, so that every engine starts
 * from bit-identical parameters.
 *
 * <ul>
 *   <li>normal: weights and biases N(0, 1), the classic lesson setting (Nielsen's network.py);
 *   <li>xavier: weights N(0, 2 / (in + out)) (Glorot normal), biases 0;
 *   <li>he: weights N(0, 2 / in) (He normal, for ReLU), biases 0.
 * </ul>
 */
public enum Init {
    NORMAL("normal"),
    XAVIER("xavier"),
    HE("he");

    private final String cliName;

    Init(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Init parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("glorot")) {
            return XAVIER;
        }
        if (wanted.equals("kaiming")) {
            return HE;
        }
        for (Init i : values()) {
            if (i.cliName.equals(wanted)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown init '" + name + "' (expected normal, xavier or he)");
    }

    /** Fresh parameters for the network, drawn layer by layer (weights row-major, then biases). */
    public Parameters initialise(Network net, long seed) {
        RandomGenerator rng = new Well19937c(new int[] {(int) (seed >>> 32), (int) seed, 0x1417});
        Parameters p = Parameters.zeros(net);
        for (int l = 0; l < net.denseLayers(); l++) {
            int in = net.size(l);
            int out = net.size(l + 1);
            double std = switch (this) {
                case NORMAL -> 1.0;
                case XAVIER -> Math.sqrt(2.0 / (in + out));
                case HE -> Math.sqrt(2.0 / in);
            };
            float[] w = new float[in * out];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (std * rng.nextGaussian());
            }
            p.setWeights(l, w);
            if (this == NORMAL) {
                float[] b = new float[out];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) rng.nextGaussian();
                }
                p.setBiases(l, b);
            }
        }
        return p;
    }
}
