package backpropcl.engine.opencl;

import static backpropcl.engine.opencl.LaunchSizes.roundUp;

/**
 * The gather routine: its own program from common.cl and gather.cl; copies a batch's rows,
 * through the epoch's order, into the input block x. A null {@code order} takes the rows in file
 * order from {@code start}.
 */
final class Gather implements AutoCloseable {
    static final String[] FILES = {"common.cl", "gather.cl"};

    private final ClProgram program;
    private final ClBuffer noOrder;
    private final ClKernel f32;
    private final ClKernel u8;
    private final int wgF32;
    private final int wgU8;

    /** Builds the routine; {@code noOrder} stands in for a null order (not owned). */
    Gather(ClContext ctx, ClBuffer noOrder) {
        this.noOrder = noOrder;
        this.program = ctx.program(KernelSources.sources(FILES), "");
        ClKernel[] k = program.kernelsOrClose("gather_rows_f32", "gather_rows_u8");
        f32 = k[0];
        u8 = k[1];
        wgF32 = f32.linearWorkGroup();
        wgU8 = u8.linearWorkGroup();
    }

    /** x (rows, width) = features[order[start + r]] of a float data set. */
    void f32(ClBuffer x, ClBuffer features, ClBuffer order, int start, int rows, int width) {
        long total = (long) rows * width;
        f32.arg(x).arg(features).arg(order == null ? noOrder : order).arg(order == null ? 0 : 1)
                .arg(start).arg(rows).arg(width)
                .launch(new long[] {roundUp(total, wgF32)}, new long[] {wgF32});
    }

    /** x (rows, width) = table[features[order[start + r]]] of a byte data set with a 256-entry table. */
    void u8(ClBuffer x, ClBuffer features, ClBuffer table, ClBuffer order, int start, int rows, int width) {
        long total = (long) rows * width;
        u8.arg(x).arg(features).arg(table).arg(order == null ? noOrder : order).arg(order == null ? 0 : 1)
                .arg(start).arg(rows).arg(width)
                .launch(new long[] {roundUp(total, wgU8)}, new long[] {wgU8});
    }

    @Override
    public void close() {
        program.close();
    }
}
