package backpropcl.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import backpropcl.testing.TestBytes;
import backpropcl.cli.Main;
import backpropcl.data.IdxReader;
import backpropcl.io.ModelFile;
import backpropcl.io.Safetensors;
import backpropcl.model.Activation;
import backpropcl.model.Cost;
import backpropcl.model.Init;
import backpropcl.model.Network;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue of bad inputs of issue 6, one case per row of docs/reliability.md: each case makes
 * its bad file(s) in a fresh folder, runs the command line on them and checks the documented
 * behaviour: exit code 2, exactly one line on stderr starting "backprop-cl: " that names the file
 * (and the record or line where there is one) and the problem, no stack trace, nothing on stdout,
 * and nothing written: every file under the folder is byte for byte as it was before the command,
 * and none is added (every training case asks for --save, --metrics and --checkpoint-dir in it).
 */
class BadInputCatalogueTest {

    /** One bad input: its name (the test's display name, as in docs/reliability.md) and how to make it. */
    record Case(String name, Scenario scenario) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Makes a case's files in the bench's folder and returns the command line to run. */
    @FunctionalInterface
    interface Scenario {
        String[] make(Bench b) throws IOException;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsOneLineExitTwoAndWritesNothing(Case c, @TempDir Path dir) throws IOException {
        Bench b = new Bench(dir);
        String[] args = c.scenario().make(b);
        Map<String, byte[]> before = snapshot(dir);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));

        String what = c.name() + ": backprop-cl " + String.join(" ", args);
        String e = err.toString();
        assertEquals(2, code, what + "\nstderr: " + e + "\nstdout: " + out);
        assertTrue(e.endsWith("\n") && e.indexOf('\n') == e.length() - 1 && e.indexOf('\r') < 0,
                what + ": stderr should be exactly one line:\n" + e);
        String line = e.strip();
        assertTrue(line.startsWith("backprop-cl: "), what + ": " + line);
        assertFalse(line.contains("Exception") || line.contains("\tat ") || line.contains("Error:"),
                what + ": looks like a stack trace or an exception's name: " + line);
        if (b.exactly != null) {
            assertEquals("backprop-cl: " + b.exactly, line, what);
        }
        for (List<String> any : b.mentions) {
            assertTrue(any.stream().anyMatch(line::contains),
                    what + ": the line should mention " + String.join(" or ", any) + ": " + line);
        }
        if (!b.trainsFirst) {
            assertEquals("", out.toString(), what + ": nothing should be printed on stdout");
        }

        Map<String, byte[]> after = snapshot(dir);
        assertEquals(before.keySet(), after.keySet(), what + ": files were added or removed");
        for (Map.Entry<String, byte[]> f : before.entrySet()) {
            assertArrayEquals(f.getValue(), after.get(f.getKey()), what + ": " + f.getKey() + " was changed");
        }
    }

    /** Every regular file under dir (relative path) with its bytes; directories as entries of their own. */
    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = dir.relativize(p).toString();
                files.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? new byte[0] : contents(p));
            }
        }
        return files;
    }

    /** A file's bytes; for a link its target, for a file that cannot be read a marker (the unreadable cases). */
    private static byte[] contents(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return ("-> " + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8);
        }
        return Files.isReadable(p) ? Files.readAllBytes(p) : "(unreadable)".getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // The catalogue. The order and names are those of docs/reliability.md.

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();

        // IDX data sets (--data DIR), made from the bundled mnist-10k files.
        c.add(new Case("idx-gz-cut-short", b -> {
            Path d = b.digits();
            byte[] whole = bundled("train-images-idx3-ubyte.gz");
            Files.write(d.resolve(TRAIN_IMAGES), Arrays.copyOf(whole, whole.length / 2));
            b.mention(TRAIN_IMAGES, "corrupt or truncated gzip data after record");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-gz-cut-in-gzip-header", b -> {
            Path d = b.digits();
            b.cut(d.resolve(TRAIN_IMAGES), 6);
            b.mention(TRAIN_IMAGES, "corrupt or truncated gzip data");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-gz-flipped-bytes", b -> {
            Path d = b.digits();
            Path f = d.resolve(TRAIN_IMAGES);
            long n = Files.size(f);
            for (long i = n / 3; i < n / 3 + 64; i++) {
                b.flip(f, i);
            }
            b.mention(TRAIN_IMAGES, "corrupt");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-gz-bad-crc", b -> {
            Path d = b.digits();
            Path f = d.resolve(TEST_LABELS);
            b.flip(f, Files.size(f) - 6); // in the CRC-32 of the gzip trailer
            b.mention(TEST_LABELS, "corrupt or truncated gzip data");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-gz-not-deflate", b -> {
            Path d = b.digits();
            Path f = d.resolve(TRAIN_LABELS);
            byte[] bytes = Files.readAllBytes(f);
            bytes[2] = 7; // compression method: not deflate
            Files.write(f, bytes);
            b.mention(TRAIN_LABELS, "gzip");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-plain-cut-short", b -> {
            Path d = b.digits();
            Files.delete(d.resolve(TRAIN_IMAGES));
            byte[] plain = TestBytes.idx(IdxReader.IMAGES_MAGIC, new int[] {TRAIN, 28, 28}, b.trainImages());
            Files.write(d.resolve("train-images-idx3-ubyte"), Arrays.copyOf(plain, 16 + 784 * 37 + 100));
            b.mention("train-images-idx3-ubyte", "truncated after record 37 of " + TRAIN);
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-empty-file", b -> {
            Path d = b.digits();
            Files.write(d.resolve(TRAIN_IMAGES), new byte[0]);
            b.mention(TRAIN_IMAGES, "too short for an IDX file");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-labels-magic-in-images-file", b -> {
            Path d = b.digits();
            Files.copy(d.resolve(TRAIN_LABELS), d.resolve(TRAIN_IMAGES), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            b.mention(TRAIN_IMAGES, "has 1 dimension", "expected 3");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-not-idx-magic", b -> {
            Path d = b.digits();
            Files.write(d.resolve(TEST_IMAGES), TestBytes.gzip("P5 28 28 255\nnot an IDX file at all".getBytes(StandardCharsets.US_ASCII)));
            b.mention(TEST_IMAGES, "not an IDX file");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-element-type-not-bytes", b -> {
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_IMAGES), 0x00000D03, new int[] {TRAIN, 28, 28}, b.trainImages());
            b.mention(TRAIN_IMAGES, "type 0x0D is not supported");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-dims-larger-than-data", b -> {
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {TRAIN, 29, 28}, b.trainImages());
            b.mention(TRAIN_IMAGES, "truncated after record", "of " + TRAIN);
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-dims-smaller-than-data", b -> {
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {TRAIN, 27, 28}, b.trainImages());
            b.mention(TRAIN_IMAGES, "trailing data");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-absurd-dims", b -> {
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, 28, 28}, b.trainImages());
            b.mention(TRAIN_IMAGES, "header promises more than");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-absurd-dims-short-file", b -> {
            // A header promising 1.6 GB of pixels in a file of 100 bytes: refused without allocating them.
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {1, 40000, 40000}, new byte[84]);
            b.mention(TRAIN_IMAGES, "truncated after record 0 of 1");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-empty-data-set", b -> {
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {0, 28, 28}, new byte[0]);
            b.writeGz(d.resolve(TRAIN_LABELS), IdxReader.LABELS_MAGIC, new int[] {0}, new byte[0]);
            b.mention(TRAIN_IMAGES, "dimension 0 has size 0");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-image-and-label-counts-differ", b -> {
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_LABELS), IdxReader.LABELS_MAGIC, new int[] {TRAIN - 1},
                    Arrays.copyOf(b.trainLabels(), TRAIN - 1));
            b.mention(TRAIN_LABELS, "holds " + (TRAIN - 1) + " labels", TRAIN_IMAGES, "holds " + TRAIN + " images");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-label-10-for-10-outputs", b -> {
            Path d = b.digits();
            byte[] labels = b.trainLabels();
            labels[7] = 10;
            b.writeGz(d.resolve(TRAIN_LABELS), IdxReader.LABELS_MAGIC, new int[] {TRAIN}, labels);
            b.mention(TRAIN_LABELS, "record 7 has label 10", "expected 0..9");
            return b.train("--data", d.toString(), "--arch", "784-4-10");
        }));
        c.add(new Case("idx-label-12-in-test-set", b -> {
            Path d = b.digits();
            byte[] labels = b.testLabels();
            labels[3] = 12;
            b.writeGz(d.resolve(TEST_LABELS), IdxReader.LABELS_MAGIC, new int[] {TEST}, labels);
            b.mention(TEST_LABELS, "record 3 has label 12", "expected 0..9");
            return b.train("--data", d.toString(), "--arch", "784-4-10");
        }));
        c.add(new Case("idx-width-differs-from-arch", b -> {
            b.mention("the network 100-4-10 takes 100 inputs", "digits has 784 features");
            return b.train("--arch", "100-4-10");
        }));
        c.add(new Case("idx-test-width-differs", b -> {
            Path d = b.digits();
            b.writeGz(d.resolve(TEST_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {TEST, 14, 14},
                    Arrays.copyOf(b.testImages(), TEST * 196));
            b.mention(TEST_IMAGES, "196 features", "784");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-file-missing", b -> {
            Path d = b.digits();
            Files.delete(d.resolve(TEST_LABELS));
            b.mention(d.toString(), "no t10k-labels* file");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-labels-file-unreadable", b -> {
            // Issue 12, family 9: the labels file is named, not the images file opened with it.
            Path d = b.digits();
            Path f = d.resolve(TRAIN_LABELS);
            b.unreadable(f);
            b.mention(f + ": could not read (permission denied)");
            return b.train("--data", d.toString());
        }));
        c.add(new Case("idx-two-candidate-files", b -> {
            Path d = b.digits();
            Files.copy(d.resolve(TRAIN_IMAGES), d.resolve("train-images-old.gz"));
            Files.move(d.resolve(TRAIN_IMAGES), d.resolve("train-images-new.gz"));
            b.mention(d.toString(), "several train-images* files");
            return b.train("--data", d.toString());
        }));

        // CSV data sets (--data FILE.csv).
        c.add(new Case("csv-2-wide-for-784-arch", b -> {
            Path f = b.csv("twod.csv", "0,0.1,0.2\n1,0.3,0.4\n0,0.5,0.6\n1,0.7,0.8\n0,0.9,1.0\n");
            b.mention("the network 784-4-10 takes 784 inputs", "twod.csv has 2 features");
            return b.train("--data", f.toString(), "--arch", "784-4-10");
        }));
        c.add(new Case("csv-empty-file", b -> {
            Path f = b.csv("empty.csv", "");
            b.mention(f.toString(), "no data rows");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-header-only", b -> {
            Path f = b.csv("header.csv", "label,x,y\n\n");
            b.mention(f.toString(), "no data rows");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-row-too-short", b -> {
            Path f = b.csv("short.csv", "label,x,y\n0,0.1,0.2\n1,0.3,0.4\n0,0.5\n1,0.7,0.8\n");
            b.mention(f.toString(), "line 4: has 2 fields; expected 3");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-row-too-long", b -> {
            Path f = b.csv("long.csv", "0,0.1,0.2\n1,0.3,0.4,0.9\n0,0.5,0.6\n");
            b.mention(f.toString(), "line 2: has 4 fields; expected 3");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-label-without-features", b -> {
            Path f = b.csv("labels.csv", "0\n1\n0\n");
            b.mention(f.toString(), "line 1: has 1 field");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-semicolons-read-as-commas", b -> {
            // Was "csv-semicolon-separated" (line 2: has 1 field): issue 13 taught the reader ';' and tab; only a
            // --separator that is not the file's still reads each line as one field.
            Path f = b.csv("semi.csv", "0;0.1;0.2\n1;0.3;0.4\n");
            b.mention(f.toString(), "line 1: has 1 field");
            return b.train("--data", f.toString(), "--arch", "2-4-2", "--separator", ",");
        }));
        c.add(new Case("csv-feature-not-a-number", b -> {
            Path f = b.csv("abc.csv", "0,0.1,0.2\n1,0.3,abc\n0,0.5,0.6\n");
            b.mention(f.toString(), "line 2, field 3: 'abc' is not a number");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-feature-nan", b -> {
            Path f = b.csv("nan.csv", "0,0.1,0.2\n1,0.3,0.4\n0,NaN,0.6\n");
            b.mention(f.toString(), "line 3, field 2: feature 'NaN' is NaN or infinite");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-feature-inf", b -> {
            Path f = b.csv("inf.csv", "0,0.1,Inf\n1,0.3,0.4\n0,0.5,0.6\n");
            b.mention(f.toString(), "line 1, field 3: feature 'Inf' is NaN or infinite");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-feature-minus-infinity", b -> {
            Path f = b.csv("minf.csv", "0,0.1,0.2\n1,-Infinity,0.4\n0,0.5,0.6\n");
            b.mention(f.toString(), "line 2, field 2: feature '-Infinity' is NaN or infinite");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-feature-overflows-float", b -> {
            Path f = b.csv("big.csv", "0,0.1,0.2\n1,0.3,0.4\n0,0.5,1e999\n");
            b.mention(f.toString(), "line 3, field 3: feature '1e999' is infinite in float");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-feature-long-digit-run", b -> {
            // 20,000 digits and a letter: refused at once (a backtracking pattern took seconds).
            Path f = b.csv("digits.csv", "0,0.1,0.2\n1," + "7".repeat(20_000) + "x,0.4\n0,0.5,0.6\n");
            b.mention(f.toString(), "line 2, field 2: '" + "7".repeat(40) + "...' is not a number");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-label-negative", b -> {
            Path f = b.csv("neg.csv", "0,0.1,0.2\n-1,0.3,0.4\n0,0.5,0.6\n");
            b.mention(f.toString(), "line 2: label '-1' is not a non-negative integer");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-label-fraction", b -> {
            Path f = b.csv("frac.csv", "0,0.1,0.2\n1,0.3,0.4\n2.5,0.5,0.6\n");
            b.mention(f.toString(), "line 3: label '2.5' is not a non-negative integer");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-label-100000-digits", b -> {
            // 1 and 100,000 zeros: refused at once (BigDecimal.stripTrailingZeros took 6 s on it).
            Path f = b.csv("huge.csv", "0,0.1,0.2\n1" + "0".repeat(100_000) + ",0.3,0.4\n0,0.5,0.6\n");
            b.mention(f.toString(), "line 2: label '1" + "0".repeat(39) + "...' is not a non-negative integer");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-label-out-of-range", b -> {
            Path f = b.csv("three.csv", "0,0.1,0.2\n1,0.3,0.4\n0,0.5,0.6\n1,0.7,0.8\n2,0.9,1.0\n");
            b.mention(f.toString(), "line 5: label 2 is out of range; expected 0..1");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-one-row", b -> {
            Path f = b.csv("one.csv", "0,0.1,0.2\n");
            b.mention(f.toString(), "1 record is too few to split");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-test-file-width-differs", b -> {
            Path f = b.csv("pts-train.csv", "0,0.1,0.2\n1,0.3,0.4\n");
            Path t = b.csv("pts-test.csv", "0,0.1,0.2,0.3\n");
            b.mention(t.toString(), "records have 3 features but the training set's have 2");
            return b.train("--data", f.toString(), "--arch", "2-4-2");
        }));
        c.add(new Case("csv-not-text", b -> {
            Path f = b.dir.resolve("binary.csv");
            Files.write(f, new byte[] {'0', ',', '1', '\n', (byte) 0xC3, (byte) 0x28, ',', (byte) 0xFF, '\n'});
            b.mention(f.toString(), "UTF-8");
            return b.train("--data", f.toString(), "--arch", "1-4-2");
        }));

        // Model files (evaluate --model, predict --model, train --init-from).
        c.add(new Case("model-cut-in-length", b -> {
            Path m = b.model("784-4-10");
            b.cut(m, 5);
            b.mention(m.toString(), "5 bytes is too short");
            return b.evaluate(m);
        }));
        c.add(new Case("model-cut-in-header", b -> {
            Path m = b.model("784-4-10");
            b.cut(m, 100);
            b.mention(m.toString(), "is larger than the 92 bytes that follow it");
            return b.evaluate(m);
        }));
        c.add(new Case("model-cut-in-data", b -> {
            Path m = b.model("784-4-10");
            b.cut(m, Files.size(m) - 10);
            b.mention(m.toString(), "outside the", "data section");
            return b.evaluate(m);
        }));
        c.add(new Case("model-header-length-too-large", b -> {
            Path m = b.model("784-4-10");
            b.putLong(m, 0, 1L << 40);
            b.mention(m.toString(), "header length 1099511627776 is larger than");
            return b.predict(m);
        }));
        c.add(new Case("model-header-length-negative", b -> {
            Path m = b.model("784-4-10");
            b.putLong(m, 0, -1L);
            b.mention(m.toString(), "header length 18446744073709551615 is larger than");
            return b.evaluate(m);
        }));
        c.add(new Case("model-header-not-json", b -> {
            Path m = b.safetensors("notjson.safetensors", "this is not JSON", new byte[0]);
            b.mention(m.toString(), "header is not valid JSON");
            return b.evaluate(m);
        }));
        c.add(new Case("model-header-json-array", b -> {
            Path m = b.safetensors("array.safetensors", "[1, 2, 3]", new byte[0]);
            b.mention(m.toString(), "header is JSON begin_array, not an object");
            return b.evaluate(m);
        }));
        c.add(new Case("model-header-not-utf8", b -> {
            Path m = b.model("784-4-10");
            b.flip(m, 9, (byte) 0xFF);
            b.mention(m.toString(), "header is not valid UTF-8 JSON");
            return b.evaluate(m);
        }));
        c.add(new Case("model-tensor-wrong-shape", b -> {
            Path m = b.modelWith("784-4-10", Map.of("layers.0.weight", new long[] {4, 783}), Map.of());
            b.mention(m.toString(), "tensor 'layers.0.weight' has shape [4, 783]; expected [4, 784]");
            return b.evaluate(m);
        }));
        c.add(new Case("model-dtype-i8", b -> {
            Path m = b.safetensors("i8.safetensors", "{\"__metadata__\":" + META_2_2
                    + ",\"layers.0.weight\":{\"dtype\":\"I8\",\"shape\":[2,2],\"data_offsets\":[0,4]}"
                    + ",\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
            b.mention(m.toString(), "tensor 'layers.0.weight': dtype I8 is not supported; expected F32");
            return b.evaluate(m);
        }));
        c.add(new Case("model-dtype-f16", b -> {
            Path m = b.safetensors("f16.safetensors", "{\"__metadata__\":" + META_2_2
                    + ",\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"
                    + ",\"layers.0.bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]}}", new byte[20]);
            b.mention(m.toString(), "tensor 'layers.0.bias': dtype F16 is not supported");
            return b.evaluate(m);
        }));
        c.add(new Case("model-tensor-missing", b -> {
            Path m = b.modelWith("784-4-10", Map.of(), Map.of("layers.1.bias", "drop"));
            b.mention(m.toString(), "tensor 'layers.1.bias' is missing; expected shape [10]");
            return b.evaluate(m);
        }));
        c.add(new Case("model-extra-tensor", b -> {
            Path m = b.modelWith("784-4-10", Map.of("layers.2.weight", new long[] {10, 10}), Map.of());
            b.mention(m.toString(), "unexpected tensor 'layers.2.weight'");
            return b.evaluate(m);
        }));
        c.add(new Case("model-trailing-bytes", b -> {
            Path m = b.model("784-4-10");
            Files.write(m, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
            b.mention(m.toString(), "3 trailing bytes after the last tensor");
            return b.evaluate(m);
        }));
        c.add(new Case("model-metadata-arch-disagrees-with-tensors", b -> {
            Path m = b.modelWith("784-4-10", Map.of(), Map.of("arch", "784-5-10"));
            b.mention(m.toString(), "tensor 'layers.0.weight' has shape [4, 784]; expected [5, 784] for 784-5-10");
            return b.evaluate(m);
        }));
        c.add(new Case("model-without-metadata", b -> {
            Path m = b.safetensors("torch.safetensors", "{\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                    new byte[8]);
            b.mention(m.toString(), "no 'format' in __metadata__");
            return b.evaluate(m);
        }));
        c.add(new Case("model-unknown-activation", b -> {
            Path m = b.modelWith("784-4-10", Map.of(), Map.of("activations", "swish,sigmoid"));
            b.mention(m.toString(), "is not a network", "swish");
            return b.evaluate(m);
        }));
        c.add(new Case("model-tensor-name-with-newline", b -> {
            Path m = b.safetensors("newline.safetensors", "{\"__metadata__\":" + META_2_2
                    + ",\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"
                    + ",\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}"
                    + ",\"evil\\nname\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}}", new byte[28]);
            b.mention(m.toString(), "unexpected tensor 'evil\\u000aname'");
            return b.evaluate(m);
        }));
        c.add(new Case("model-metadata-with-newline", b -> {
            Path m = b.modelWith("784-4-10", Map.of(), Map.of("arch", "784-4\nx-10"));
            b.mention(m.toString(), "metadata arch '784-4\\u000ax-10'", "is not a network");
            return b.evaluate(m);
        }));
        c.add(new Case("model-unknown-optimizer", b -> {
            Path m = b.modelWith("784-4-10", Map.of(), Map.of("optimizer", "rmsprop"));
            b.mention(m.toString(), "the optimizer in __metadata__ is not valid: unknown optimizer 'rmsprop'");
            return b.evaluate(m);
        }));
        c.add(new Case("model-for-another-arch-init-from", b -> {
            Path m = b.model("784-30-10");
            Files.copy(b.model("784-16-10"), b.save); // a good model that the run must not overwrite
            b.mention("--init-from " + m, "784-30-10", "784-16-10");
            return b.train("--init-from", m.toString(), "--arch", "784-16-10");
        }));
        c.add(new Case("model-for-other-inputs-evaluate", b -> {
            Path m = b.model("2-4-10");
            b.mention("takes 2 inputs", "digits has 784 features");
            return b.evaluate(m);
        }));
        c.add(new Case("model-is-a-directory", b -> {
            Path m = Files.createDirectory(b.dir.resolve("model.safetensors"));
            b.mention(m.toString(), "could not read");
            return b.evaluate(m);
        }));
        c.add(new Case("model-missing", b -> {
            Path m = b.dir.resolve("nope.safetensors");
            b.mention(m.toString(), "no such file");
            return b.evaluate(m);
        }));

        // Checkpoints (train --resume DIR).
        c.add(new Case("checkpoint-cut-short", b -> {
            Path ckpt = b.checkpoint();
            Path f = ckpt.resolve("checkpoint.safetensors");
            b.cut(f, Files.size(f) / 2);
            b.mention(f.toString(), "outside the", "data section");
            return b.resume(ckpt);
        }));
        // A resumed run reads the data its checkpoint names: a message about it names the checkpoint, not --data (issue 12, family 9).
        c.add(new Case("resume-checkpoints-data-moved", b -> {
            Path ckpt = b.checkpoint();
            Path digits = b.digits();
            Files.move(digits, b.dir.resolve("digits-moved"));
            b.exactly = "the checkpoint's data, " + digits + ", is not there any more: no such data set or directory "
                    + "(expected mnist-10k, mnist, fashion-mnist, points:moons|circles|xor|spiral, a directory of IDX files or "
                    + "of one folder of images per class, or a .csv file); give --data with where it is now";
            return b.resume(ckpt);
        }));
        c.add(new Case("resume-checkpoints-data-changed-width", b -> {
            Path ckpt = b.checkpoint();
            Path d = b.digits();
            b.writeGz(d.resolve(TRAIN_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {TRAIN, 27, 28}, Arrays.copyOf(b.trainImages(), TRAIN * 27 * 28));
            b.writeGz(d.resolve(TEST_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {TEST, 27, 28}, Arrays.copyOf(b.testImages(), TEST * 27 * 28));
            b.exactly = "the network 784-4-10 takes 784 inputs, but the checkpoint's data, " + d + ", has 756 features per sample; "
                    + "give --data with the data it was trained on";
            return b.resume(ckpt);
        }));
        c.add(new Case("checkpoint-missing", b -> {
            Path ckpt = Files.createDirectory(b.dir.resolve("run"));
            b.mention(ckpt.toString(), "no checkpoint here");
            return b.resume(ckpt);
        }));
        c.add(new Case("checkpoint-is-a-model", b -> {
            Path ckpt = Files.createDirectory(b.dir.resolve("run"));
            Files.copy(b.model("784-4-10"), ckpt.resolve("checkpoint.safetensors"));
            b.mention(ckpt.resolve("checkpoint.safetensors").toString(), "a model file, not a checkpoint");
            return b.resume(ckpt);
        }));
        c.add(new Case("checkpoint-bad-metadata", b -> {
            Path ckpt = b.checkpoint();
            Path f = ckpt.resolve("checkpoint.safetensors");
            Safetensors.Contents content = Safetensors.read(f);
            Map<String, String> meta = new LinkedHashMap<>(content.metadata());
            meta.put("next_epoch", "one");
            Safetensors.write(f, content.tensors(), meta);
            b.mention(f.toString(), "checkpoint metadata 'next_epoch' is 'one'", "expected a whole number");
            return b.resume(ckpt);
        }));
        c.add(new Case("resume-with-arch", b -> {
            Path ckpt = b.checkpoint();
            b.mention("--resume takes the network", "drop --arch");
            String[] args = b.resume(ckpt);
            String[] more = Arrays.copyOf(args, args.length + 2);
            more[args.length] = "--arch";
            more[args.length + 1] = "784-4-10";
            return more;
        }));

        c.add(new Case("save-into-missing-directory", b -> {
            // Checked before training starts, so nothing is trained for nothing.
            Path f = b.dir.resolve("no/such/dir/model.safetensors");
            b.mention(f.toString(), "no such directory " + f.getParent() + " (--save)");
            return b.train("--save", f.toString(), "--train-samples", "20", "--test-samples", "10");
        }));

        // Metrics files (plot) and inputs of predict.
        c.add(new Case("plot-metrics-not-csv", b -> {
            Path f = b.csv("metrics.csv", "this is\nnot a metrics file\n");
            b.mention(f.toString(), ":1: expected 11 comma-separated values");   // 11 since issue 13's validation and cost columns
            return new String[] {"plot", f.toString(), "--out", b.dir.resolve("plots").toString()};
        }));
        c.add(new Case("plot-metrics-missing", b -> {
            Path f = b.dir.resolve("metrics.csv");
            b.mention(f.toString(), "no such metrics file");
            return new String[] {"plot", f.toString(), "--out", b.dir.resolve("plots").toString()};
        }));
        c.add(new Case("predict-not-an-image", b -> {
            Path m = b.model("784-4-10");
            Path f = b.csv("digit.png", "not a picture\n");
            b.mention(f.toString(), "not a PNG or JPEG image");
            return new String[] {"predict", "--model", m.toString(), f.toString()};
        }));
        c.add(new Case("predict-image-missing", b -> {
            Path m = b.model("784-4-10");
            Path f = b.dir.resolve("seven.png");
            b.mention(f.toString(), "no such file");
            return new String[] {"predict", "--model", m.toString(), f.toString()};
        }));
        c.add(new Case("predict-idx-record-out-of-range", b -> {
            Path m = b.model("784-4-10");
            String spec = "idx:" + b.digits().resolve(TEST_IMAGES) + "#" + TEST;
            b.mention(spec, "record " + TEST + " is out of range", "holds " + TEST);
            return new String[] {"predict", "--model", m.toString(), spec};
        }));
        c.add(new Case("predict-idx-record-negative", b -> {
            Path m = b.model("784-4-10");
            String spec = "idx:" + b.digits().resolve(TEST_IMAGES) + "#-1";
            b.mention(spec, "negative");
            return new String[] {"predict", "--model", m.toString(), spec};
        }));
        c.add(new Case("predict-idx-labels-file", b -> {
            Path m = b.model("784-4-10");
            Path labels = b.digits().resolve(TEST_LABELS);
            b.mention(labels.toString(), "1 dimension");
            return new String[] {"predict", "--model", m.toString(), "idx:" + labels + "#0"};
        }));
        c.add(new Case("predict-top-0", b -> {
            Path m = b.model("784-4-10");
            b.exactly = "--top must be a whole number >= 1, got 0";
            return new String[] {"predict", "--model", m.toString(), "--top", "0", "idx:" + b.digits().resolve(TEST_IMAGES) + "#0"};
        }));

        // Absurd options.
        c.add(option("arch-empty-width", "'' is not a layer width", "--arch", "784--10"));
        c.add(option("arch-width-0", "width 0 is out of range", "--arch", "784-0-10"));
        c.add(option("arch-width-1e9", "width 1000000000 is out of range", "--arch", "784-1000000000-10"));
        // A legal width whose weights do not fit in the heap: refused before any allocation, not an OutOfMemoryError.
        c.add(option("arch-too-large-for-memory", "has 833,617,930 parameters", "--arch", "784-1048576-10"));
        c.add(option("arch-two-huge-layers", "GB of memory for them", "--arch", "784-1048576-1048576-10"));
        c.add(option("arch-one-width", "needs at least two widths", "--arch", "784"));
        c.add(option("arch-not-a-number", "'x' is not a layer width", "--arch", "784-x-10"));
        // Number options are checked as typed (issue 12, family 9): the line shows the text given.
        c.add(optionExactly("batch-0", "--batch must be a whole number >= 1, got 0", "--batch", "0"));
        c.add(optionExactly("batch-negative", "--batch must be a whole number >= 1, got -3", "--batch", "-3"));
        c.add(optionExactly("batch-not-a-number", "--batch must be a whole number >= 1, got ten", "--batch", "ten"));
        c.add(optionExactly("lr-nan", "--lr must be a finite number > 0, got NaN", "--lr", "NaN"));
        c.add(optionExactly("lr-negative", "--lr must be a finite number > 0, got -1", "--lr", "-1"));
        c.add(optionExactly("lr-infinity", "--lr must be a finite number > 0, got Infinity", "--lr", "Infinity"));
        c.add(optionExactly("lr-zero", "--lr must be a finite number > 0, got 0", "--lr", "0"));
        c.add(optionExactly("lr-too-small-for-a-double",
                "--lr 1e-400 is too small for a double (rounds to 0); give a learning rate > 0", "--lr", "1e-400"));
        c.add(optionExactly("lr-too-large-for-a-double",
                "--lr 1e999 is too large for a double (rounds to Infinity); give a learning rate > 0", "--lr", "1e999"));
        c.add(optionExactly("lr-not-a-number", "--lr must be a finite number > 0, got 3,0", "--lr", "3,0"));
        c.add(optionExactly("epochs-negative", "--epochs must be a whole number >= 0, got -1", "--epochs", "-1"));
        c.add(optionExactly("epochs-overflow", "--epochs 99999999999 is too large (at most 2147483647); give a whole number >= 0",
                "--epochs", "99999999999"));
        c.add(new Case("device-99", b -> {
            // "does not exist" where OpenCL has devices, else the reason it has none.
            b.mentionAny("--device 99 does not exist", "--engine opencl:");
            return b.train("--engine", "opencl", "--device", "99");
        }));
        c.add(option("device-with-reference-engine", "--device is for OpenCL engines", "--device", "0"));
        c.add(option("engine-unknown", "unknown engine 'gpu'", "--engine", "gpu"));
        c.add(option("optimizer-unknown", "unknown optimizer 'rmsprop'", "--optimizer", "rmsprop"));
        c.add(optionExactly("momentum-1", "--momentum must be a number in [0, 1), got 1", "--optimizer", "momentum", "--momentum", "1"));
        c.add(optionExactly("beta2-negative", "--beta2 must be a number in [0, 1), got -0.5", "--optimizer", "adam", "--beta2", "-0.5"));
        c.add(optionExactly("weight-decay-negative", "--weight-decay must be a finite number >= 0, got -1", "--weight-decay", "-1"));
        c.add(optionExactly("weight-decay-infinity", "--weight-decay must be a finite number >= 0, got Infinity",
                "--weight-decay", "Infinity"));
        c.add(optionExactly("l2-nan", "--l2 must be a finite number >= 0, got NaN", "--l2", "NaN"));
        c.add(optionExactly("epsilon-0", "--epsilon must be a finite number > 0, got 0e0", "--optimizer", "adam", "--epsilon", "0e0"));
        c.add(option("weight-decay-and-l2", "give one", "--weight-decay", "0.1", "--l2", "5"));
        c.add(option("lr-schedule-unknown", "unknown --lr-schedule 'linear'", "--lr-schedule", "linear"));
        c.add(optionExactly("lr-gamma-0", "--lr-gamma must be a number in (0, 1], got 0", "--lr-schedule", "step", "--lr-gamma", "0"));
        c.add(optionExactly("min-lr-above-lr", "--min-lr 5e-1 is above the learning rate --lr 0.1; give a --min-lr no larger than it",
                "--lr-schedule", "cosine", "--lr", "0.1", "--min-lr", "5e-1"));
        c.add(optionExactly("warmup-negative", "--warmup-epochs must be a whole number >= 0, got -2", "--warmup-epochs", "-2"));
        c.add(option("init-unknown", "unknown init 'zeros'", "--init", "zeros"));
        c.add(option("activation-softmax-hidden", "only allowed for the output layer", "--activation", "softmax"));
        c.add(option("cross-entropy-identity-output", "cross-entropy cost needs a sigmoid or softmax output",
                "--cost", "cross-entropy", "--output", "identity"));
        c.add(optionExactly("train-samples-0", "--train-samples must be a whole number >= 1, got 0", "--train-samples", "0"));
        c.add(optionExactly("test-samples-negative", "--test-samples must be a whole number >= 1, got -5", "--test-samples", "-5"));
        // The same converters in the other commands.
        c.add(commandExactly("compare-lr-too-small", "--lr 1e-400 is too small for a double (rounds to 0); give a learning rate > 0",
                "compare", "--engines", "reference,reference", "--lr", "1e-400"));
        c.add(commandExactly("compare-step-tolerance-nan", "--step-tolerance must be a finite number >= 0, got NaN",
                "compare", "--engines", "reference,reference", "--step-tolerance", "NaN"));
        c.add(commandExactly("gradcheck-tolerance-infinity", "--tolerance must be a finite number >= 0, got Infinity",
                "gradcheck", "--tolerance", "Infinity"));
        c.add(commandExactly("bench-epochs-1", "--epochs must be a whole number >= 2 (the first epoch is warm-up and not counted), got 1",
                "bench", "--epochs", "1"));
        c.add(commandExactly("evaluate-device-negative", "--device must be a whole number >= 0, got -1",
                "evaluate", "--model", "m.safetensors", "--device", "-1"));
        c.add(commandExactly("visualize-samples-0", "--samples must be a whole number >= 1, got 0",
                "visualize", "--model", "m.safetensors", "--samples", "0"));
        c.add(option("unknown-option", "--bogus", "--bogus"));
        c.add(new Case("data-no-such-directory", b -> {
            b.mention("--data 'nosuchdir': no such data set or directory");
            return b.train("--data", "nosuchdir");
        }));
        // --data naming something that exists but is not a data set (issue 12, family 9).
        String expected = "(expected mnist-10k, mnist, fashion-mnist, points:moons|circles|xor|spiral, a directory of IDX files "
                + "or of one folder of images per class, or a .csv file)";
        c.add(new Case("data-is-an-image", b -> {
            Path f = Files.write(b.dir.resolve("seven.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            b.exactly = "--data '" + f + "': an image, not a data set " + expected
                    + "; to classify an image: backprop-cl predict --model FILE " + f;
            return b.train("--data", f.toString());
        }));
        c.add(new Case("data-is-a-model", b -> {
            Path m = b.model("784-4-10");
            b.exactly = "--data '" + m + "': a model file, not a data set " + expected
                    + "; a model goes to --model (evaluate, predict, visualize) or --init-from (train)";
            return b.train("--data", m.toString());
        }));
        c.add(new Case("data-is-a-text-file", b -> {
            Path f = b.csv("notes.txt", "0,0.1,0.2\n1,0.3,0.4\n");
            b.exactly = "--data '" + f + "': a file, but not a .csv file " + expected
                    + "; if it holds CSV rows (a label column and features), give it a name that ends in .csv";
            return b.train("--data", f.toString());
        }));
        c.add(new Case("data-is-one-idx-file", b -> {
            Path f = b.digits().resolve(TRAIN_IMAGES);
            b.exactly = "--data '" + f + "': one IDX file, not a data set " + expected
                    + "; give the directory that holds it and the other three: --data " + b.digits();
            return b.train("--data", f.toString());
        }));
        c.add(new Case("data-directory-without-idx-files", b -> {
            Path d = Files.createDirectory(b.dir.resolve("tables"));
            Files.writeString(d.resolve("points.csv"), "0,0.1\n1,0.2\n");
            Files.writeString(d.resolve("README"), "points\n");
            b.exactly = d + ": a directory without IDX files (found README, points.csv; expected train-images-idx3-ubyte, "
                    + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz); "
                    + "a CSV file is given as --data FILE.csv";
            return b.train("--data", d.toString());
        }));
        c.add(new Case("data-empty-directory", b -> {
            Path d = Files.createDirectory(b.dir.resolve("nothing"));
            b.exactly = d + ": an empty directory (found no files; expected train-images-idx3-ubyte, "
                    + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz)";
            return b.train("--data", d.toString());
        }));
        // A name the JVM cannot encode (under LANG=C: any non-ASCII name; see MessagesIT), as picocli's Path options and --data meet it.
        c.add(optionExactly("save-name-not-unicode", "--save '?.safetensors': not a file name: it holds characters that are not valid "
                + "Unicode", "--save", "\uD800.safetensors"));
        c.add(optionExactly("data-name-not-unicode", "--data '?/x.csv': not a file name: it holds characters that are not valid "
                + "Unicode", "--data", "\uDC00/x.csv"));
        c.add(new Case("data-unknown-point-set", b -> {
            b.mention("--data 'points:triangles': unknown point set 'triangles'");
            return b.train("--data", "points:triangles", "--arch", "2-4-2");
        }));
        c.add(new Case("expand-on-points", b -> {
            b.mention("--expand shifts square images");
            return b.train("--data", "points:moons:40", "--arch", "2-4-2", "--expand");
        }));
        c.add(new Case("evaluate-split-unknown", b -> {
            Path m = b.model("784-4-10");
            b.mention("--split must be test or train, got 'validation'");
            String[] args = b.evaluate(m);
            String[] more = Arrays.copyOf(args, args.length + 2);
            more[args.length] = "--split";
            more[args.length + 1] = "validation";
            return more;
        }));
        return c.stream();
    }

    /** A case of an absurd train option on good data whose line, after "backprop-cl: ", is exactly {@code line}. */
    private static Case optionExactly(String name, String line, String... options) {
        return new Case(name, b -> {
            b.exactly = line;
            return b.train(options);
        });
    }

    /** A case of any command whose line, after "backprop-cl: ", is exactly {@code line}; it reads and writes no file. */
    private static Case commandExactly(String name, String line, String... args) {
        return new Case(name, b -> {
            b.exactly = line;
            return args;
        });
    }

    /** A case of an absurd train option on good data; the line must contain {@code mention}. */
    private static Case option(String name, String mention, String... options) {
        return new Case(name, b -> {
            b.mention(mention);
            return b.train(options);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // The bench: the folder of one case and the good files its bad ones are made from.

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** Records of the small good data set: the first of the bundled mnist-10k files. */
    static final int TRAIN = 60;
    static final int TEST = 20;

    /** Metadata of a 2-2 sigmoid network, for hand-written headers. */
    static final String META_2_2 = "{\"format\":\"backprop-cl\",\"version\":\"1\",\"arch\":\"2-2\","
            + "\"activations\":\"sigmoid\",\"cost\":\"quadratic\"}";

    private static final Map<String, byte[]> BUNDLED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A bundled mnist-10k file, as its bytes. */
    static byte[] bundled(String name) {
        return BUNDLED.computeIfAbsent(name, n -> {
            try (InputStream in = BadInputCatalogueTest.class.getResourceAsStream("/datasets/mnist-10k/" + n)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).clone();
    }

    private static final Map<String, byte[]> RECORDS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The first {@code records} records of a bundled file, uncompressed, without the header. */
    static byte[] bundledRecords(String name, int records) {
        byte[] all = RECORDS.computeIfAbsent(name, n -> {
            IdxReader.Idx idx = IdxReader.read(n, new java.io.ByteArrayInputStream(bundled(n)));
            return Arrays.copyOf(idx.data(), Math.max(TRAIN, TEST) * idx.recordSize());
        });
        return Arrays.copyOf(all, records * (all.length / Math.max(TRAIN, TEST)));
    }



    /** One case's folder: files made in it, the mentions its error line must hold, its command lines. */
    static final class Bench {
        final Path dir;
        final Path save;
        /** What the error line must contain: each entry one text, or a choice of texts. */
        final List<List<String>> mentions = new ArrayList<>();
        private Path digits;
        /** The whole error line after "backprop-cl: ", where a case gives it (issue 12, family 9); null: only the mentions. */
        String exactly;
        /** True for a case whose error comes only after training (stdout then shows the run). */
        boolean trainsFirst;

        Bench(Path dir) {
            this.dir = dir;
            this.save = dir.resolve("out.safetensors");
        }

        void mention(String... parts) {
            for (String p : parts) {
                mentions.add(List.of(p));
            }
        }

        /** The line must contain one of {@code choices} (e.g. where the machine decides which error comes first). */
        void mentionAny(String... choices) {
            mentions.add(List.of(choices));
        }

        byte[] trainImages() {
            return bundledRecords("train-images-idx3-ubyte.gz", TRAIN);
        }

        byte[] trainLabels() {
            return bundledRecords("train-labels-idx1-ubyte.gz", TRAIN);
        }

        byte[] testImages() {
            return bundledRecords("t10k-images-idx3-ubyte.gz", TEST);
        }

        byte[] testLabels() {
            return bundledRecords("t10k-labels-idx1-ubyte.gz", TEST);
        }

        /** A good data set folder "digits": the first 60 / 20 bundled digits, gzip, standard names. */
        Path digits() throws IOException {
            if (digits == null) {
                digits = Files.createDirectory(dir.resolve("digits"));
                writeGz(digits.resolve(TRAIN_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {TRAIN, 28, 28}, trainImages());
                writeGz(digits.resolve(TRAIN_LABELS), IdxReader.LABELS_MAGIC, new int[] {TRAIN}, trainLabels());
                writeGz(digits.resolve(TEST_IMAGES), IdxReader.IMAGES_MAGIC, new int[] {TEST, 28, 28}, testImages());
                writeGz(digits.resolve(TEST_LABELS), IdxReader.LABELS_MAGIC, new int[] {TEST}, testLabels());
            }
            return digits;
        }

        /** A gzip IDX file with any magic and dims, unchecked. */
        void writeGz(Path f, int magic, int[] dims, byte[] data) throws IOException {
            Files.write(f, TestBytes.gzip(TestBytes.idx(magic, dims, data)));
        }

        Path csv(String name, String text) throws IOException {
            return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
        }

        /** A good model of the given widths (sigmoid, quadratic), seed 1, named after them. */
        Path model(String arch) {
            Network net = Network.of(arch, Activation.SIGMOID, Activation.SIGMOID, Cost.QUADRATIC);
            Path f = dir.resolve("m" + arch + ".safetensors");
            ModelFile.save(f, net, Init.NORMAL.initialise(net, 1));
            return f;
        }

        /**
         * A version 1 model of {@code arch} (tensors layers.{l} counting dense layers, the network in
         * arch and activations: the files these cases were written for, which must still be refused
         * so) with some tensors reshaped (or added) and some metadata replaced; a metadata value of
         * "drop" for a tensor name removes that tensor.
         */
        Path modelWith(String arch, Map<String, long[]> shapes, Map<String, String> changes) {
            Safetensors.Contents c = Safetensors.read(model(arch));
            LinkedHashMap<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
            // Version 2 names dense layer l layers.{2l} in a dense chain; version 1 named it layers.{l}.
            c.tensors().forEach((name, t) -> {
                String[] parts = name.split("\\.");
                tensors.put(parts[0] + "." + Integer.parseInt(parts[1]) / 2 + "." + parts[2], t);
            });
            Map<String, String> meta = new LinkedHashMap<>(c.metadata());
            meta.put("version", "1");
            meta.remove("layers");
            meta.remove("input_width");
            shapes.forEach((name, shape) -> tensors.put(name,
                    new Safetensors.Tensor(shape, new float[(int) Arrays.stream(shape).reduce(1, (x, y) -> x * y)])));
            changes.forEach((key, value) -> {
                if (value.equals("drop")) {
                    tensors.remove(key);
                } else {
                    meta.put(key, value);
                }
            });
            Path f = dir.resolve("changed.safetensors");
            Safetensors.write(f, tensors, meta);
            return f;
        }

        /** A safetensors file with the given header text (padded with spaces) and data section. */
        Path safetensors(String name, String header, byte[] data) throws IOException {
            byte[] json = header.getBytes(StandardCharsets.UTF_8);
            int padded = (json.length + 7) / 8 * 8;
            ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(padded).put(json);
            for (int i = json.length; i < padded; i++) {
                b.put((byte) ' ');
            }
            b.put(data);
            return Files.write(dir.resolve(name), b.array());
        }

        /** A real checkpoint folder "run", written by one epoch of training on the digits. */
        Path checkpoint() throws IOException {
            Path run = dir.resolve("run");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new String[] {"train", "--engine", "reference", "--arch", "784-4-10", "--epochs", "1",
                "--data", digits().toString(), "--checkpoint-dir", run.toString()}, new PrintWriter(out), new PrintWriter(err));
            if (code != 0) {
                fail("could not make a checkpoint: " + err);
            }
            return run;
        }

        /**
         * Makes f a file this process cannot open: mode 000, or, where that does not stop it (root
         * reads anything), a link in its place to a file that even root may not read.
         */
        void unreadable(Path f) throws IOException {
            Files.setPosixFilePermissions(f, java.util.Set.of());
            if (Files.isReadable(f)) {
                Path denied = Path.of("/proc/sys/vm/compact_memory"); // mode 0200; procfs checks it for root too
                boolean opens;
                try (InputStream in = Files.newInputStream(denied)) {
                    opens = true;
                } catch (IOException e) {
                    opens = false;
                }
                org.junit.jupiter.api.Assumptions.assumeFalse(opens, "no way to make a file that this user cannot read");
                Files.delete(f);
                Files.createSymbolicLink(f, denied);
            }
        }

        void cut(Path f, long length) throws IOException {
            Files.write(f, Arrays.copyOf(Files.readAllBytes(f), (int) length));
        }

        void flip(Path f, long at) throws IOException {
            byte[] bytes = Files.readAllBytes(f);
            bytes[(int) at] ^= (byte) 0x5A;
            Files.write(f, bytes);
        }

        void flip(Path f, long at, byte value) throws IOException {
            byte[] bytes = Files.readAllBytes(f);
            bytes[(int) at] = value;
            Files.write(f, bytes);
        }

        void putLong(Path f, int at, long value) throws IOException {
            byte[] bytes = Files.readAllBytes(f);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
            Files.write(f, bytes);
        }

        /**
         * train with the given options, and where they do not say otherwise: the small digits, a
         * 784-4-10 network, the reference engine, one epoch, and every output in the folder.
         */
        String[] train(String... options) throws IOException {
            List<String> given = List.of(options);
            List<String> args = new ArrayList<>(List.of("train"));
            args.addAll(given);
            if (!given.contains("--data")) {
                args.addAll(List.of("--data", digits().toString()));
            }
            if (!given.contains("--arch") && !given.contains("--init-from")) {
                args.addAll(List.of("--arch", "784-4-10"));
            }
            if (!given.contains("--engine")) {
                args.addAll(List.of("--engine", "reference"));
            }
            if (!given.contains("--epochs")) {
                args.addAll(List.of("--epochs", "1"));
            }
            // Every output in the folder, but for a case that trains before its error: its metrics
            // and checkpoint of the epochs done are rightly kept, so it asks for none.
            List<String> outputs = outputs();
            for (int i = 0; i < outputs.size(); i += 2) {
                if (!given.contains(outputs.get(i)) && !trainsFirst) {
                    args.addAll(outputs.subList(i, i + 2));
                }
            }
            return args.toArray(new String[0]);
        }

        /** train --resume DIR with every output in the folder (the checkpoint goes on into DIR). */
        String[] resume(Path ckpt) {
            List<String> args = new ArrayList<>(List.of("train", "--resume", ckpt.toString(), "--engine", "reference",
                "--epochs", "2", "--save", save.toString(), "--metrics", dir.resolve("metrics-out.csv").toString()));
            return args.toArray(new String[0]);
        }

        private List<String> outputs() {
            return List.of("--save", save.toString(), "--metrics", dir.resolve("metrics-out.csv").toString(),
                    "--checkpoint-dir", dir.resolve("checkpoints").toString(), "--plot", dir.resolve("plots").toString());
        }

        String[] evaluate(Path model) throws IOException {
            return new String[] {"evaluate", "--model", model.toString(), "--engine", "reference", "--data", digits().toString()};
        }

        String[] predict(Path model) throws IOException {
            return new String[] {"predict", "--model", model.toString(), "idx:" + digits().resolve(TEST_IMAGES) + "#0"};
        }
    }
}
