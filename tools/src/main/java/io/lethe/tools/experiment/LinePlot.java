package io.lethe.tools.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** A PNG line chart of accuracy curves (y from 0 to 100), for the experiment commands' docs figures. */
final class LinePlot {

    /** One curve: its legend name and its points (x, y). */
    record Series(String name, List<double[]> points) {
    }

    private static final Color[] COLORS = {new Color(214, 39, 40), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(31, 119, 180), Color.BLACK, new Color(148, 103, 189)};

    private LinePlot() {
    }

    static void write(Path file, String title, String xLabel, double xMin, double xMax, List<Series> series, boolean dots)
            throws IOException {
        int w = 900;
        int h = 500;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int left = 60;
        int right = w - 220;
        int top = 30;
        int bottom = h - 50;
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        for (int v = 0; v <= 100; v += 20) {
            int y = (int) (bottom - v / 100.0 * (bottom - top));
            g.drawString(Integer.toString(v), left - 30, y + 4);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, y, right, y);
            g.setColor(Color.DARK_GRAY);
        }
        g.drawString(title, left, top - 10);
        g.drawString(xLabel, (left + right) / 2, h - 15);
        g.setStroke(new BasicStroke(2f));
        for (int c = 0; c < series.size(); c++) {
            g.setColor(COLORS[c % COLORS.length]);
            int px = -1;
            int py = -1;
            for (double[] p : series.get(c).points()) {
                int x = left + (int) ((p[0] - xMin) / Math.max(1e-12, xMax - xMin) * (right - left));
                int y = (int) (bottom - p[1] / 100.0 * (bottom - top));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                if (dots) {
                    g.fillOval(x - 2, y - 2, 5, 5);
                }
                px = x;
                py = y;
            }
            g.fillRect(right + 20, top + 20 * c, 14, 10);
            g.drawString(series.get(c).name(), right + 40, top + 10 + 20 * c);
        }
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
    }
}
