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

    /**
     * Fresh parameters for the network, drawn layer by layer in list order (weights row-major, then
     * biases): dense with fan_in = in, fan_out = out; conv with fan_in = C*K*K, fan_out = F*K*K;
     * batchnorm not drawn: gamma 1, beta 0, running_mean 0, running_var 1, num_batches_tracked 0
     * (PyTorch's). A dense network draws exactly the numbers it always drew.
     */
    public Parameters initialise(Network net, long seed) {
        RandomGenerator rng = new Well19937c(new int[] {(int) (seed >>> 32), (int) seed, 0x1417});
        Parameters p = Parameters.zeros(net);
        ParameterLayout layout = p.layout();
        for (int k = 0; k < net.layers().size(); k++) {
            Layer layer = net.layers().get(k);
            String prefix = "layers." + k + ".";
            if (layer instanceof Layer.Dense d) {
                draw(rng, p, prefix, net.inputShape(k).size(), d.width());
            } else if (layer instanceof Layer.Conv c) {
                int area = c.kernel() * c.kernel();
                draw(rng, p, prefix, net.inputShape(k).channels() * area, c.filters() * area);
            } else if (layer instanceof Layer.BatchNorm) {
                float[] ones = new float[layout.tensor(prefix + "weight").length()];
                java.util.Arrays.fill(ones, 1f);
                p.set(prefix + "weight", ones);
                p.set(prefix + "running_var", ones);
            }
        }
        return p;
    }

    /** A layer's weight with the scheme's spread for its fans, then (normal only) its bias. */
    private void draw(RandomGenerator rng, Parameters p, String prefix, int in, int out) {
        double std = switch (this) {
            case NORMAL -> 1.0;
            case XAVIER -> Math.sqrt(2.0 / (in + out));
            case HE -> Math.sqrt(2.0 / in);
        };
        float[] w = new float[p.layout().tensor(prefix + "weight").length()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (std * rng.nextGaussian());
        }
        p.set(prefix + "weight", w);
        if (this == NORMAL) {
            float[] b = new float[p.layout().tensor(prefix + "bias").length()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) rng.nextGaussian();
            }
            p.set(prefix + "bias", b);
        }
    }
}
