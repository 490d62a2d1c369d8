package backpropcl.engine.opencl;

import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Optimizer;
import java.util.Locale;

/**
 * The codes the kernels share with the host, as {@code -D} build options generated from the Java
 * enums, so that the enums are their one source: {@code ACT_<NAME>} from {@link Activation},
 * {@code COST_<NAME>} from {@link Cost}, {@code OPT_<NAME>} from {@link Optimizer.Kind} (each its
 * {@code kernelCode()}), and {@code LEAKY_SLOPE} from {@link Activation#LEAKY_SLOPE}.
 * {@link ClContext#program} adds them to every build; common.cl refuses to build without them.
 */
final class KernelCodes {
    /** The options, e.g. {@code -D ACT_SIGMOID=0 ... -D COST_QUADRATIC=0 ... -D LEAKY_SLOPE=0.01f}. */
    static final String OPTIONS = generate();

    private KernelCodes() {
    }

    private static String generate() {
        StringBuilder s = new StringBuilder();
        for (Activation a : Activation.values()) {
            define(s, "ACT_" + a.name(), Integer.toString(a.kernelCode()));
        }
        for (Cost c : Cost.values()) {
            define(s, "COST_" + c.name(), Integer.toString(c.kernelCode()));
        }
        for (Optimizer.Kind k : Optimizer.Kind.values()) {
            define(s, "OPT_" + k.name(), Integer.toString(k.kernelCode()));
        }
        // The shortest decimal that reads back as the same float: the kernel's literal is the cpu engine's float.
        define(s, "LEAKY_SLOPE", Float.toString((float) Activation.LEAKY_SLOPE) + "f");
        return s.toString();
    }

    private static void define(StringBuilder s, String name, String value) {
        s.append(s.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "-D %s=%s", name, value));
    }

    /** {@code options} followed by the codes. */
    static String with(String options) {
        return options.isEmpty() ? OPTIONS : options + " " + OPTIONS;
    }
}
