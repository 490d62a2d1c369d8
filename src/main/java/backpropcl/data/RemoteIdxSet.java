package backpropcl.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An MNIST-style data set that is downloaded on first use: the four gzip IDX files
 * ({@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz},
 * {@code t10k-images-idx3-ubyte.gz}, {@code t10k-labels-idx1-ubyte.gz}), each with its known
 * SHA-256, fetched from the first mirror that has it into {@code <cache>/<name>/}.
 *
 * <p>The checksums are those of the files as their publishers serve them, as recorded by
 * TensorFlow Datasets ({@code tensorflow_datasets/url_checksums/mnist.txt} and
 * {@code fashion_mnist.txt}, which also give the sizes: MNIST 9,912,422 / 28,881 / 1,648,877 /
 * 4,542 bytes, Fashion-MNIST 26,421,880 / 29,515 / 4,422,102 / 5,148 bytes). Fashion-MNIST's
 * checksums agree with the MD5 sums in the zalandoresearch/fashion-mnist README.
 */
final class RemoteIdxSet {

    /** The full MNIST: 60,000 training and 10,000 test digits (LeCun, Cortes, Burges). */
    static final RemoteIdxSet MNIST = new RemoteIdxSet("mnist",
            List.of("https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/"),
            new String[] {
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"});

    /** Fashion-MNIST: 60,000 training and 10,000 test images of clothes (Zalando Research, MIT licence). */
    static final RemoteIdxSet FASHION_MNIST = new RemoteIdxSet("fashion-mnist",
            List.of("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            new String[] {
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"});

    private final String name;
    private final List<String> mirrors;
    private final String[] sha256;

    /**
     * @param name    the data set's name, also its folder in the cache
     * @param mirrors base URLs, tried in order; each holds the four files
     * @param sha256  the SHA-256 of the four files, in the order of {@link IdxDirectory#STANDARD}
     */
    RemoteIdxSet(String name, List<String> mirrors, String[] sha256) {
        if (sha256.length != 4) {
            throw new IllegalArgumentException(name + ": expected 4 checksums, got " + sha256.length);
        }
        this.name = name;
        this.mirrors = List.copyOf(mirrors);
        this.sha256 = sha256.clone();
    }

    String name() {
        return name;
    }

    /** The file name of file i (0: train images, 1: train labels, 2: test images, 3: test labels). */
    static String fileName(int i) {
        return IdxDirectory.STANDARD[i] + ".gz";
    }

    /**
     * Downloads whichever of the four files is missing or wrong into {@code cacheRoot/name/}, then
     * reads them; the split is called after the set, its parts "NAME/train" and "NAME/test".
     *
     * @param classes the number of classes; 0 or less: the largest label + 1
     */
    DataSplit load(Path cacheRoot, Downloader downloader, int classes) {
        Path folder = cacheRoot.resolve(name);
        Path[] files = new Path[4];
        for (int i = 0; i < 4; i++) {
            files[i] = downloader.fetch(fileName(i), mirrors, sha256[i], folder);
        }
        Dataset train = readPair(name + "/train", files[0], files[1], classes);
        Dataset test = readPair(name + "/test", files[2], files[3], classes);
        return IdxDirectory.combine(name, train, test, files[2].toString(), classes);
    }

    private static Dataset readPair(String setName, Path images, Path labels, int classes) {
        try (InputStream img = Files.newInputStream(images); InputStream lab = Files.newInputStream(labels)) {
            return IdxReader.readImagesAndLabels(setName, img, images.toString(), lab, labels.toString(), classes);
        } catch (IOException e) {
            throw new DataException(images + ": could not read (" + e.getMessage() + ")", e);
        }
    }
}
