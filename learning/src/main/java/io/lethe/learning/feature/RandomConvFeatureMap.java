package io.lethe.learning.feature;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Seeded random convolution: each k x k filter is drawn Gaussian, made zero-mean (so flat regions
 * give no response) and scaled to unit norm; valid convolution, ReLU, then non-overlapping average
 * pooling. Features are ordered filter-major (filter, pooled row, pooled column).
 */
public final class RandomConvFeatureMap implements FeatureMap {

    private final FeatureMapSpec spec;
    private final INDArray filterMatrix; // [k*k, filters]: column f is filter f, row-major taps
    private final INDArray filterRows;   // [filters, k*k]
    private final INDArray poolColumns;  // [conv positions, pooled positions], 1/pool^2 inside a window
    private final int convSide;
    private final int pooledSide;

    public RandomConvFeatureMap(FeatureMapSpec spec) {
        if (!FeatureMapSpec.RANDOM_CONV.equals(spec.kind())) {
            throw new IllegalArgumentException("not a random-conv spec: " + spec);
        }
        this.spec = spec;
        int k = spec.kernel();
        int f = spec.filters();
        int side = spec.imageSide();
        double[] raw = SeededGaussian.draw(spec.seed(), f * k * k, 1.0);
        double[] taps = new double[k * k * f];
        for (int filter = 0; filter < f; filter++) {
            double mean = 0;
            for (int i = 0; i < k * k; i++) {
                mean += raw[filter * k * k + i];
            }
            mean /= k * k;
            double norm = 0;
            for (int i = 0; i < k * k; i++) {
                double v = raw[filter * k * k + i] - mean;
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < k * k; i++) {
                taps[i * f + filter] = (raw[filter * k * k + i] - mean) / norm;
            }
        }
        this.filterMatrix = Nd4j.create(taps, new long[] {k * k, f}, DataType.DOUBLE);
        this.filterRows = filterMatrix.transpose().dup('c');
        this.convSide = side - k + 1;
        this.pooledSide = convSide / spec.pool();
        int positions = convSide * convSide;
        int p = spec.pool();
        double[] pool = new double[positions * pooledSide * pooledSide];
        for (int y = 0; y < convSide; y++) {
            for (int x = 0; x < convSide; x++) {
                pool[(y * convSide + x) * pooledSide * pooledSide + (y / p) * pooledSide + x / p] = 1.0 / (p * p);
            }
        }
        this.poolColumns = Nd4j.create(pool, new long[] {positions, (long) pooledSide * pooledSide}, DataType.DOUBLE);
    }

    @Override
    public FeatureMapSpec spec() {
        return spec;
    }

    @Override
    public int outputDim() {
        return spec.outputDim();
    }

    /** Filter k x k weights of one filter, row-major, for tests and inspection. */
    public double[] filter(int index) {
        int k = spec.kernel();
        double[] out = new double[k * k];
        for (int i = 0; i < k * k; i++) {
            out[i] = filterMatrix.getDouble(i, index);
        }
        return out;
    }

    /** Images per GEMM: small chunks with reused buffers ran 1.5-3x faster than one big batch here. */
    private static final int CHUNK = 64;

    /** The convolution GEMM's shape (filters, taps, columns per call), for measuring its ceiling. */
    public static long[] gemmShape(FeatureMapSpec spec) {
        long convSide = spec.imageSide() - spec.kernel() + 1;
        return new long[] {spec.filters(), (long) spec.kernel() * spec.kernel(), CHUNK * convSide * convSide};
    }

    /** Images per convolution GEMM call. */
    public static int chunkImages() {
        return CHUNK;
    }

    /**
     * Convolution as im2col and one GEMM (ND4J, so a GPU backend runs it), ReLU, then average
     * pooling. The im2col gather and the pooling sums are plain Java loops: ND4J's gather op and
     * its reductions on this layout took longer than the GEMM itself, and pooling as a GEMM wastes
     * 94% of its multiplications on zeros.
     */
    @Override
    public synchronized INDArray apply(INDArray inputs) {
        InputChecks.requireWidth(inputs, spec.inputDim());
        long n = inputs.rows();
        int f = spec.filters();
        INDArray flat = inputs.castTo(DataType.DOUBLE);
        if (flat == inputs || flat.ordering() != 'c' || flat.isView()) {
            flat = flat.dup('c'); // our own contiguous copy; a fresh cast already is one
        }
        double[] x = flat.data().asDouble();
        INDArray out = Nd4j.create(DataType.DOUBLE, n, (long) f * pooledSide * pooledSide);
        for (int start = 0; start < n; start += CHUNK) {
            int end = (int) Math.min(n, start + CHUNK);
            out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(applyChunk(x, start, end));
        }
        return out;
    }

    private INDArray patchArray;
    private INDArray convArray;
    private double[] convCopy;

    private INDArray applyChunk(double[] x, int start, int end) {
        int m = end - start;
        int k = spec.kernel();
        int taps = k * k;
        int f = spec.filters();
        int positions = convSide * convSide;
        int side = spec.imageSide();
        int columns = CHUNK * positions;
        if (patchArray == null) {
            // Fixed-shape native buffers, reused and accessed in place: allocating or copying the
            // multi-megabyte arrays per call cost more than the GEMM.
            patchArray = Nd4j.create(DataType.DOUBLE, taps, columns);
            convArray = Nd4j.create(DataType.DOUBLE, f, columns);
        }
        // patches[tap][(image, y, x)] = pixel (y + ky, x + kx) of the image; missing images are zero.
        java.nio.DoubleBuffer patches = patchArray.data().asNioDouble();
        if (m < CHUNK) {
            patchArray.assign(0.0);
        }
        for (int tap = 0; tap < taps; tap++) {
            int ky = tap / k;
            int kx = tap % k;
            int rowBase = tap * columns;
            for (int image = 0; image < m; image++) {
                int src = (start + image) * spec.inputDim();
                int dst = rowBase + image * positions;
                for (int y = 0; y < convSide; y++) {
                    patches.put(dst + y * convSide, x, src + (y + ky) * side + kx, convSide);
                }
            }
        }
        Nd4j.gemm(filterRows, patchArray, convArray, false, false, 1.0, 0.0); // [filter, (image, position)]
        // ReLU and average pooling (disjoint windows: a plain sum per window) in one pass over a bulk
        // copy of the output, filters split across cores.
        if (convCopy == null) {
            convCopy = new double[f * columns];
        }
        double[] conv = convCopy;
        convArray.data().asNioDouble().get(0, conv);
        int pooledCount = pooledSide * pooledSide;
        int p = spec.pool();
        double scale = 1.0 / (p * p);
        double[] pooled = new double[m * f * pooledCount];
        int used = m * positions;
        java.util.stream.IntStream.range(0, f).parallel().forEach(filter -> {
            int filterBase = filter * columns;
            // ReLU as a plain counted loop, which the JIT vectorises.
            for (int i = filterBase; i < filterBase + used; i++) {
                conv[i] = Math.max(conv[i], 0.0);
            }
            double[] rowSums = new double[pooledSide];
            for (int image = 0; image < m; image++) {
                int base = filterBase + image * positions;
                int outBase = image * f * pooledCount + filter * pooledCount;
                for (int py = 0; py < pooledSide; py++) {
                    java.util.Arrays.fill(rowSums, 0.0);
                    for (int dy = 0; dy < p; dy++) {
                        int row = base + (py * p + dy) * convSide;
                        for (int px = 0; px < pooledSide; px++) {
                            int b = row + px * p;
                            double sum = 0;
                            for (int dx = 0; dx < p; dx++) {
                                sum += conv[b + dx];
                            }
                            rowSums[px] += sum;
                        }
                    }
                    for (int px = 0; px < pooledSide; px++) {
                        pooled[outBase + py * pooledSide + px] = rowSums[px] * scale;
                    }
                }
            }
        });
        return Nd4j.create(pooled, new long[] {m, (long) f * pooledCount}, DataType.DOUBLE);
    }
}
