package backpropcl.reliability;

import backpropcl.data.DataException;
import backpropcl.data.Dataset;
import backpropcl.engine.opencl.DeviceInfo;
import backpropcl.engine.opencl.LiveObjects;
import backpropcl.engine.opencl.OpenClDevices;
import backpropcl.engine.opencl.OpenClEngine;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import backpropcl.selftest.SyntheticData;
import java.util.Arrays;

/**
 * Run in a child JVM whose device has a small max allocation (PoCL with POCL_MEMORY_LIMIT=1: 256 MiB
 * per buffer): an OpenCL engine is given a training set, then a test set, whose features need one
 * buffer larger than that, and must refuse both before allocating anything; then it trains on a
 * set that fits. Prints what it saw; exit 0 when all held, 1 when not, 3 when the device's limit
 * is too large to exceed with a Java array (not PoCL, or the limit not applied).
 */
final class TooLargeData {
    private TooLargeData() {
    }

    public static void main(String[] args) {
        DeviceInfo device = OpenClDevices.list().get(0);
        long max = device.maxAllocBytes();
        int width = 1024;
        long count = max / ((long) width * Float.BYTES) + 1;
        if (count * width > Integer.MAX_VALUE - 8 || count * width * Float.BYTES > Runtime.getRuntime().maxMemory() / 2) {
            System.out.println("SKIP the device allows " + max + " bytes per buffer, more than a test can exceed");
            System.exit(3);
        }
        // Features of -1 are not image bytes: stored as float, 4 bytes each, just over the limit.
        float[] features = new float[(int) (count * width)];
        Arrays.fill(features, -1f);
        Dataset big = new Dataset("big", features, new int[(int) count], (int) count, width, 2);
        System.out.println("DATA " + (long) features.length * Float.BYTES + " bytes of features, device max " + max);
        Network net = Network.of(width + "-2-2", Activation.RELU, Activation.SOFTMAX, Cost.CROSS_ENTROPY);
        boolean ok = true;
        try (OpenClEngine e = new OpenClEngine(net, Init.HE.initialise(net, 1), 0)) {
            for (String what : new String[] {"train", "evaluate"}) {
                int before = LiveObjects.buffers();
                try {
                    if (what.equals("train")) {
                        e.setTrainingData(big);
                    } else {
                        e.evaluate(big);
                    }
                    System.out.println("ACCEPTED " + what);
                    ok = false;
                } catch (DataException x) {
                    System.out.println("REFUSED " + what + ": " + x.getMessage());
                }
                int after = LiveObjects.buffers();
                System.out.println("BUFFERS " + what + " " + before + " " + after);
                ok &= before == after;
            }
            Dataset small = SyntheticData.random("small", 1, 100, width, 2, false);
            e.setTrainingData(small);
            e.trainBatch(0, 100, 0.1);
            System.out.println("THEN trained on a set that fits: " + e.evaluate(small));
        }
        System.out.println("LEFT " + LiveObjects.buffers());
        System.exit(ok && LiveObjects.buffers() == 0 ? 0 : 1);
    }
}
