package backpropcl.engine.opencl;

import backpropcl.engine.OptimizerStep;
import backpropcl.model.Optimizer;
import backpropcl.model.ParameterLayout;
import backpropcl.model.Parameters;
import backpropcl.model.TrainingState;

/**
 * One parameter tensor of {@link ParameterLayout} on the device: its values (updated in place),
 * the gradient of the last batch (its place in the engine's one {@link DeviceGradients} buffer,
 * which moves every tensor's gradient at once), and the optimizer's slot tensors of the same shape. The engine
 * reaches every layer's tensors through one list of these for setParameters, parameters, state,
 * setState and applyGradients.
 */
final class DeviceTensor implements AutoCloseable {
    /** Plain SGD on one tensor with the formula of the layer's fused gradient kernels (p -= eta g). */
    interface SgdStep {
        void step(ClBuffer p, ClBuffer g, int n, float eta);
    }

    private final ClContext ctx;
    private final ParameterLayout.Tensor tensor;
    private final String label;
    private final SgdStep sgd;
    final ClBuffer value;
    final ClBuffer grad;
    private ClBuffer[] slots = new ClBuffer[0];

    /** The weight (out, in) or bias of dense layer {@code dense}, as {@code grads}' layout places it, its gradient in {@code grads}. */
    DeviceTensor(ClContext ctx, DeviceGradients grads, int dense, boolean weight, SgdStep sgd) {
        this(ctx, grads, weight ? grads.layout().weight(dense) : grads.layout().bias(dense), (weight ? "W[" : "b[") + dense + "]", sgd);
    }

    /**
     * Any tensor of {@code grads}' layout, named {@code label} on the device. A tensor that is not
     * trainable (batch norm's statistics) gets no optimizer slots and no step, and its place in
     * the gradient buffer is zeroed here once (no kernel writes it).
     */
    DeviceTensor(ClContext ctx, DeviceGradients grads, ParameterLayout.Tensor tensor, String label, SgdStep sgd) {
        this.ctx = ctx;
        this.tensor = tensor;
        this.label = label;
        this.sgd = sgd;
        long bytes = (long) tensor.length() * Float.BYTES;
        this.value = ctx.buffer(bytes, label);
        ClBuffer g = null;
        try {
            g = grads.tensor(tensor, "grad" + label.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + label.substring(1));
            if (!tensor.trainable()) {
                g.write(new float[tensor.length()]);
            }
        } catch (RuntimeException e) {
            release(new ClBuffer[] {value, g});
            throw e;
        }
        this.grad = g;
    }

    /** Values in the tensor. */
    int length() {
        return tensor.length();
    }

    private int offset() {
        return (int) tensor.offset();
    }

    /** Uploads this tensor's place in the flat buffer of {@code p}. */
    void write(Parameters p) {
        value.write(0, p.values(), offset(), length());
    }

    /** Reads the values into their place in the flat buffer of {@code p}. */
    void read(Parameters p) {
        value.read(0, p.values(), offset(), length());
    }

    /** Values and slots into their places in the flat buffers of {@code s}. */
    void read(TrainingState s) {
        readInto(value, s.values(), offset(), length());
        for (int k = 0; k < slots.length; k++) {
            readInto(slots[k], s.slot(k), offset(), length());
        }
    }

    /** The slots from {@code s} (the values come with its parameters). */
    void writeSlots(TrainingState s) {
        for (int k = 0; k < slots.length; k++) {
            slots[k].write(floats(s.slot(k), offset(), length()));
        }
    }

    /** {@code count} floats of {@code buf} into {@code to} from {@code at}, exact. */
    static void readInto(ClBuffer buf, double[] to, int at, int count) {
        float[] f = new float[count];
        buf.read(0, f, 0, count);
        for (int i = 0; i < count; i++) {
            to[at + i] = f[i];
        }
    }

    /** {@code count} values of {@code from} from {@code at}, rounded to float. */
    private static float[] floats(double[] from, int at, int count) {
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            f[i] = (float) from[at + i];
        }
        return f;
    }

    static void readInto(ClBuffer buf, double[] to) {
        readInto(buf, to, 0, to.length);
    }

    /** Zeroed slot tensors for optimizer {@code o}, made but not yet in use (see {@link #useSlots}). */
    ClBuffer[] newSlots(Optimizer o) {
        int count = tensor.trainable() ? o.kind().slots() : 0;
        ClBuffer[] made = new ClBuffer[count];
        try {
            for (int s = 0; s < count; s++) {
                made[s] = ctx.buffer((long) length() * Float.BYTES, o.kind().slotName(s) + " " + label);
                made[s].write(new float[length()]);
            }
        } catch (RuntimeException e) {
            release(made);
            throw e;
        }
        return made;
    }

    /** Releases the slots in use and takes {@code made} (from {@link #newSlots}). */
    void useSlots(ClBuffer[] made) {
        release(slots);
        slots = made;
    }

    static void release(ClBuffer[] buffers) {
        for (ClBuffer b : buffers) {
            if (b != null) {
                b.close();
            }
        }
    }

    /** Plain SGD from the gradient buffer at {@code eta}; nothing on a tensor that is not trainable. */
    void sgdStep(float eta) {
        if (tensor.trainable()) {
            sgd.step(value, grad, length(), eta);
        }
    }

    /** update.cl's step {@code c} from the gradient buffer; weight decay on the decayed tensors only (dense and conv weights). */
    void update(OptimizerUpdate update, OptimizerStep c) {
        if (!tensor.trainable()) {
            return;
        }
        update.step(value, grad, slots.length > 0 ? slots[0] : null, slots.length > 1 ? slots[1] : null, length(), c, tensor.decayed());
    }

    @Override
    public void close() {
        release(slots);
        slots = new ClBuffer[0];
        value.close();
        grad.close();
    }
}
