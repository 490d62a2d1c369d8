package backpropcl.plot;

import backpropcl.io.AtomicFile;
import backpropcl.io.OutputFileException;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writing images to PNG files atomically, and the drawing defaults every picture shares. */
final class Png {
    /** The font of titles, captions and tick labels (DejaVu Sans on Linux, a sans-serif elsewhere). */
    static final String FONT = Font.SANS_SERIF;

    private Png() {
    }

    /**
     * Writes {@code image} to {@code file} as PNG, atomically ({@link AtomicFile}): a reader never
     * sees half an image. Creates missing parent directories.
     *
     * @throws OutputFileException naming the file and the system's reason
     */
    static Path write(BufferedImage image, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new OutputFileException(file, "cannot create the directory " + dir + ": " + describe(e), e);
        }
        AtomicFile.write(file, out -> {
            if (!javax.imageio.ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
        return file;
    }

    /** What went wrong, in words, without the exception's class name. */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A white RGB image and its graphics, with anti-aliased text and shapes. */
    static BufferedImage blank(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Graphics for drawing text and shapes onto {@code image}; the caller disposes it. */
    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }

    /** The width in pixels of {@code text} in {@code font}. */
    static int textWidth(Font font, String text) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(scratch);
        try {
            return g.getFontMetrics(font).stringWidth(text);
        } finally {
            g.dispose();
        }
    }

    /** Draws {@code text} centred horizontally on x with its baseline at y. */
    static void centred(Graphics2D g, String text, double x, double y) {
        int w = g.getFontMetrics().stringWidth(text);
        g.drawString(text, (float) (x - w / 2.0), (float) y);
    }
}
