package backpropcl.cli;

import picocli.CommandLine.Option;

/**
 * Data-parallel training: several OpenCL devices or several single-threaded cpu engines, each
 * computing a slice of every batch (engine.DataParallelEngine). Only train has them: evaluation
 * and compare read one engine's tensors.
 */
public final class ReplicaOptions {
    @Option(names = "--devices", paramLabel = "LIST",
            description = "Train on several OpenCL devices at once: indices from 'backprop-cl devices' separated by commas "
                    + "(0,1) or all. Each device computes a slice of every batch; the host sums their gradients (weighted by "
                    + "rows, in a fixed order) and every device takes the same step, so a run repeats for a given device count "
                    + "and matches one device within float32 rounding. With --engine opencl or auto.")
    String devices;

    // "replicas" as in TensorFlow's MirroredStrategy (num_replicas_in_sync) and PyTorch's
    // DistributedDataParallel docs: one model copy per worker, each on a slice of the batch.
    @Option(names = "--replicas", paramLabel = "N", converter = OptionValues.Count.class,
            description = "Train on N single-threaded cpu engines at once (one per core is the usual choice), each "
                    + "computing a slice of every batch, gradients summed on the host as with --devices. With --engine cpu "
                    + "or auto (auto then takes the cpu engine).")
    Integer replicas;
}
