package backpropcl.reliability;

import backpropcl.data.DataSplit;
import backpropcl.engine.Engine;
import backpropcl.engine.Evaluation;
import backpropcl.engine.cpu.CpuEngine;
import backpropcl.engine.opencl.OpenClEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.model.Optimizer;
import backpropcl.model.TrainingState;
import backpropcl.selftest.SyntheticData;
import backpropcl.train.EpochResult;
import backpropcl.train.Trainer;
import backpropcl.train.TrainingConfig;
import backpropcl.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Trainings of one network from one seed on one data set: alone, or several at once, each on its
 * own engine opened in its own thread (the engines are opened at the same moment too). What
 * ConcurrencyTest compares; {@link #main} does it in a fresh JVM, where the engines' opening is
 * the process's first use of OpenCL.
 */
final class TwoTrainings {
    static final Network NET = Network.of("64-48-10", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);

    private TwoTrainings() {
    }

    enum Kind {
        CPU, OPENCL;

        Engine open() {
            return switch (this) {
                case CPU -> new CpuEngine(NET, Init.HE.initialise(NET, 5));
                case OPENCL -> new OpenClEngine(NET, Init.HE.initialise(NET, 5), 0);
            };
        }
    }

    /** The end of a run: parameters and optimizer state, and the test evaluation of every epoch. */
    record Outcome(TrainingState state, List<Evaluation> tests) {
        boolean sameAs(Outcome o) {
            return state.bitwiseEquals(o.state) && tests.equals(o.tests);
        }
    }

    static DataSplit data() {
        return new DataSplit("synthetic", SyntheticData.random("train", 5, 2000, 64, 10, false),
                SyntheticData.random("test", 6, 500, 64, 10, false));
    }

    static TrainingConfig config() {
        return TrainingConfig.builder().epochs(3).batchSize(16).optimizer(Optimizer.of(Optimizer.Kind.NESTEROV)).learningRate(0.05)
                .seed(5).build();
    }

    static Outcome alone(Kind kind, DataSplit data) {
        try (Engine e = kind.open()) {
            return train(e, data);
        }
    }

    /** {@code n} trainings at once, each opening its engine in its own thread after a common start. */
    static List<Outcome> together(Kind kind, DataSplit data, int n) throws Exception {
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService threads = Executors.newFixedThreadPool(n);
        try {
            List<Future<Outcome>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(threads.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    return alone(kind, data);
                }));
            }
            List<Outcome> out = new ArrayList<>();
            for (Future<Outcome> f : runs) {
                out.add(f.get(300, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            threads.shutdownNow();
        }
    }

    private static Outcome train(Engine e, DataSplit data) {
        List<Evaluation> tests = new ArrayList<>();
        new Trainer(config()).run(e, data, Trainer.Start.fresh(), new TrainingListener() {
            @Override
            public void epochDone(EpochResult r) {
                tests.add(r.test());
            }
        });
        return new Outcome(e.state(), tests);
    }

    /** {@code KIND}: two trainings at once in a fresh JVM, then one alone; exit 0 when all three end bitwise the same. */
    public static void main(String[] args) throws Exception {
        Kind kind = Kind.valueOf(args[0]);
        DataSplit data = data();
        List<Outcome> both = together(kind, data, 2);
        Outcome one = alone(kind, data);
        boolean same = both.get(0).sameAs(one) && both.get(1).sameAs(one);
        System.out.println(same ? "two at once and one alone: bitwise the same" : "two at once differ from one alone: "
                + both.get(0).tests() + " " + both.get(1).tests() + " vs " + one.tests());
        System.exit(same ? 0 : 1);
    }
}
