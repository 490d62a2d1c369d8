package backpropcl.cli;

import backpropcl.engine.Tolerances;
import backpropcl.engine.reference.GradientCheck;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Checks backpropagation against finite differences.",
            "",
            "Runs the reference engine in double on small random networks, one for each hidden activation x output "
                + "activation x cost, and two with dropout (on the input, and after a hidden activation; checked on the "
                + "dropout mask of the run's first step), then on conv networks of odd shapes (1 and 3 channels, kernels 1, 3 "
                + "and 5, stride 2, padding, a 1x1 output, max pooling, batchnorm on images and on rows, batches of 1, 2, 3 "
                + "and --batch), and compares its gradients with central finite differences. "
                + "Exit code 0 when every "
                + "relative error ||backprop - numeric|| / ||numeric|| is within the tolerance, 1 otherwise."})
final class GradcheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the network shapes, parameters and batch (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", paramLabel = "N", converter = OptionValues.Count.class, defaultValue = "4",
            description = "Samples in the batch, 1..10000 (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--tolerance", paramLabel = "X", converter = OptionValues.NonNegative.class, defaultValue = Tolerances.GRADIENT_CHECK_F64_TEXT,
            description = "Largest relative error that passes (default: ${DEFAULT-VALUE}).")
    double tolerance;

    /** The largest --batch. */
    static final int MAX_BATCH = 10_000;

    @Override
    public Integer call() {
        if (batch > MAX_BATCH) {
            // Each of a network's parameters costs two passes over the batch: a batch of millions would run for
            // days, and one of 2^31-1 rows cannot be one array.
            throw new UserError("--batch must be in 1.." + MAX_BATCH + " (a finite-difference check needs no more), got " + batch);
        }
        var out = spec.commandLine().getOut();
        out.printf("%-14s %-30s %-13s %7s %12s  %s%n", "network", "activations", "cost", "params", "rel. error", "result");
        boolean allPass = true;
        List<GradientCheck.Case> cases = new ArrayList<>();
        networks(seed).forEach(net -> cases.add(new GradientCheck.Case(net, batch)));
        cases.addAll(GradientCheck.convolutionalCases(batch));
        for (GradientCheck.Case c : cases) {
            Network net = c.network();
            GradientCheck.Result r = GradientCheck.run(net, c.batch(), seed);
            boolean pass = r.relativeError() <= tolerance;
            allPass &= pass;
            String text = net.toString();
            String acts = net.isDenseChain() ? text.substring(text.indexOf('[') + 1, text.indexOf(']')) : net.spec();
            // A conv network is named by its input shape and batch: its dense widths say little of it.
            String name = net.isConvolutional() ? net.inputShape() + " b" + c.batch() : net.archString();
            out.printf(Locale.ROOT, "%-14s %-30s %-13s %7d %12.3e  %s%n", name, acts, net.cost().cliName(),
                    r.parameters(), r.relativeError(), pass ? "PASS" : "FAIL");
        }
        out.println(allPass ? "gradcheck: PASS (tolerance " + tolerance + ")" : "gradcheck: FAIL (tolerance " + tolerance + ")");
        return allPass ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    /**
     * Every valid hidden x output x cost combination, each on a small network of random widths; then
     * a network with input dropout and one with dropout after a hidden activation.
     */
    static List<Network> networks(long seed) {
        Random rnd = new Random(seed);
        List<Network> nets = new ArrayList<>();
        Activation[] hidden = {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.LEAKY_RELU};
        Activation[] outputs = {Activation.SIGMOID, Activation.SOFTMAX, Activation.IDENTITY};
        for (Activation h : hidden) {
            for (Activation o : outputs) {
                for (Cost c : Cost.values()) {
                    if (!c.supports(o)) {
                        continue;
                    }
                    String arch = (2 + rnd.nextInt(6)) + "-" + (1 + rnd.nextInt(6)) + "-" + (1 + rnd.nextInt(5)) + "-" + (2 + rnd.nextInt(4));
                    nets.add(Network.of(arch, h, o, c));
                }
            }
        }
        int inputs = 2 + rnd.nextInt(6);
        nets.add(Network.parse(inputs, "dropout:0.3,dense:" + (1 + rnd.nextInt(6)) + ",sigmoid,dense:" + (2 + rnd.nextInt(4))
                + ",softmax", Cost.CROSS_ENTROPY));
        inputs = 2 + rnd.nextInt(6);
        nets.add(Network.parse(inputs, "dense:" + (2 + rnd.nextInt(6)) + ",tanh,dropout:0.5,dense:" + (1 + rnd.nextInt(5))
                + ",relu,dense:" + (2 + rnd.nextInt(4)) + ",sigmoid", Cost.QUADRATIC));
        return nets;
    }
}
