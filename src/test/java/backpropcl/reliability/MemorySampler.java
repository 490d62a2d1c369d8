package backpropcl.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * This JVM's resources as the leak tests sample them: the Java heap in use after a GC and the heap
 * committed, the resident set (VmRSS), threads and open file descriptors.
 *
 * <p>The resident set holds the committed Java heap, which G1 grows and shrinks with the
 * allocation rate and so moves by tens of megabytes between two samples with nothing leaking;
 * {@link #nativeBytes} takes it out: what is left is metaspace, code, GC tables, thread stacks,
 * malloc (JOCL, the OpenCL runtime, a native BLAS) and mapped files.
 */
record MemorySampler(long heapBytes, long heapCommitted, long residentBytes, int threads, int openFiles) {

    /** A quick sample after {@link System#gc()} (twice: the first may only start a concurrent cycle). */
    static MemorySampler sample() {
        System.gc();
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new MemorySampler(heap.getUsed(), heap.getCommitted(), procStatus("VmRSS:") * 1024, (int) procStatus("Threads:"),
                countOpenFiles());
    }

    /**
     * A sample for a bound: after the GC, G1 hands the heap regions it shrank back to the system
     * from a background thread, so the resident set falls for a while after the GC returns; this
     * takes the least of six readings 50 ms apart. (Quick samples of a loop that allocates fast
     * scatter by some 60 MiB; these by a few.)
     */
    static MemorySampler settled() {
        System.gc();
        System.gc();
        long rss = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            rss = Math.min(rss, procStatus("VmRSS:") * 1024);
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new MemorySampler(heap.getUsed(), heap.getCommitted(), rss == Long.MAX_VALUE ? 0 : rss, (int) procStatus("Threads:"),
                countOpenFiles());
    }

    /** The resident set less the committed Java heap (0 where there is no /proc). */
    long nativeBytes() {
        return residentBytes == 0 ? 0 : residentBytes - heapCommitted;
    }

    /** A number from /proc/self/status (kB for the memory lines), or 0 where there is no /proc. */
    static long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** Entries of /proc/self/fd: files, sockets and pipes this process holds open (0 where there is no /proc). */
    static int countOpenFiles() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String toString() {
        return "heap " + mib(heapBytes) + " (committed " + mib(heapCommitted) + "), RSS " + mib(residentBytes) + " (native "
                + mib(nativeBytes()) + "), " + threads + " threads, " + openFiles + " open files";
    }
}
