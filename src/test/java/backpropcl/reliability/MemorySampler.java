package backpropcl.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's resources as the leak tests sample them: Java heap after a GC, resident set, threads, open file descriptors. */
record MemorySampler(long heapBytes, long residentBytes, int threads, int openFiles) {

    /** Heap in use after {@link System#gc()} (twice: the first may only start a concurrent cycle), VmRSS and Threads from /proc. */
    static MemorySampler sample() {
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new MemorySampler(heap, procStatus("VmRSS:") * 1024, (int) procStatus("Threads:"), openFiles());
    }

    /** Entries of /proc/self/fd: files, sockets and pipes this process holds open (0 where there is no /proc). */
    static int openFiles() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
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

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String toString() {
        return "heap " + mib(heapBytes) + ", RSS " + mib(residentBytes) + ", " + threads + " threads, " + openFiles + " open files";
    }
}
