package io.lethe.learning.feature;

import io.lethe.learning.NativeArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Seeded random convolution: each k x k filter is drawn Gaussian, made zero-mean (so flat regions
 * give no response) and scaled to unit norm; valid convolution, ReLU, then non-overlapping average
 * pooling. Features are ordered filter-major (filter, pooled row, pooled column).
 *
 * <p>Computed in float32 (twice the GEMM rate of float64 at this shape, half the memory traffic) and
 * returned as float32; the learner widens them to float64 for its statistics. Every image goes
 * through its own fixed-shape GEMM and pooling loop, so its features are bit-identical whatever
 * batch it arrives in: learning and unlearning the same example add and subtract exactly the same
 * numbers, which float32 needs (one ulp is 6e-8, far above the 1e-9 exactness bound).
 */
public final class RandomConvFeatureMap implements FeatureMap {

    private final FeatureMapSpec spec;
    private final INDArray filterMatrix; // [k*k, filters]: column f is filter f, row-major taps
    private final INDArray filterRows;   // [filters, k*k]
    private final int convSide;

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
        this.filterRows = filterMatrix.transpose().castTo(DataType.FLOAT).dup('c');
        this.convSide = side - k + 1;
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

    /** The convolution GEMM's shape (filters, taps, columns per call: one image), for measuring its ceiling. */
    public static long[] gemmShape(FeatureMapSpec spec) {
        long convSide = spec.imageSide() - spec.kernel() + 1;
        return new long[] {spec.filters(), (long) spec.kernel() * spec.kernel(), convSide * convSide};
    }

    /**
     * Convolution as im2col and one GEMM per image (ND4J, so a GPU backend runs it), then ReLU and
     * average pooling; images are spread over the cores, each worker with its own
     * fixed-shape buffers. One GEMM per image, not per batch, is what makes the features independent
     * of the batch: a BLAS splits a wide product between threads and edge kernels at shape-dependent
     * columns, which moved float32 features by one ulp with the image's position. The im2col gather
     * and the pooling are plain Java loops: ND4J's gather, pooling and reduction ops on this layout
     * took longer than the GEMM itself, and pooling as a GEMM wastes 94% of its multiplications.
     */
    @Override
    public INDArray apply(INDArray inputs) {
        InputChecks.requireWidth(inputs, spec.inputDim());
        int n = (int) inputs.rows();
        INDArray flat = inputs.castTo(DataType.FLOAT);
        if (flat == inputs || flat.ordering() != 'c' || flat.isView()) {
            flat = flat.dup('c'); // our own contiguous copy; a fresh cast already is one
        }
        float[] x = flat.data().asFloat();
        NativeArrays.releaseDerived(flat, inputs); // our copy, read out
        int width = outputDim();
        // Written row by row straight into the result's native memory: a float[] of the whole batch
        // (1.5 MB at 256 x 1,536) was a humongous object for the collector on every batch, and then a copy.
        INDArray result = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, width}, 'c');
        int workers = Math.min(n, WORKERS);
        // Images are taken a few at a time by whichever worker is free, not in fixed shares: a worker
        // that loses its core (to the stream thread, the broker) no longer keeps the others waiting.
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.stream.IntStream.range(0, workers).parallel().forEach(w -> {
            Worker worker = worker(w);
            java.nio.FloatBuffer out = result.data().asNioFloat(); // each worker its own view, absolute puts
            for (int from = next.getAndAdd(IMAGES_PER_TAKE); from < n; from = next.getAndAdd(IMAGES_PER_TAKE)) {
                for (int image = from; image < Math.min(n, from + IMAGES_PER_TAKE); image++) {
                    worker.features(x, image, out);
                }
            }
        });
        return result;
    }

    /** The threads a parallel stream runs on: the common pool's and the caller. */
    private static final int WORKERS = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1;
    private static final int IMAGES_PER_TAKE = 8;
    private final Worker[] workers = new Worker[WORKERS];

    private synchronized Worker worker(int index) {
        if (workers[index] == null) {
            workers[index] = new Worker();
        }
        return workers[index];
    }

    /** One thread's fixed-shape buffers: the patches and the convolution output of one image. */
    private final class Worker {
        private final int taps = spec.kernel() * spec.kernel();
        private final int positions = convSide * convSide;
        private final INDArray patchArray = Nd4j.create(DataType.FLOAT, taps, positions);
        private final INDArray convArray = Nd4j.create(DataType.FLOAT, spec.filters(), positions);
        private final float[] conv = new float[spec.filters() * positions];
        private final float[] band = new float[convSide];
        private final float[] row = new float[outputDim()];

        /** Writes the features of image {@code image} of {@code x} into its row of {@code out}. */
        synchronized void features(float[] x, int image, java.nio.FloatBuffer out) {
            int k = spec.kernel();
            int side = spec.imageSide();
            // patches[tap][(y, x)] = pixel (y + ky, x + kx)
            java.nio.FloatBuffer patches = patchArray.data().asNioFloat();
            int src = image * spec.inputDim();
            for (int tap = 0; tap < taps; tap++) {
                int ky = tap / k;
                int kx = tap % k;
                int dst = tap * positions;
                for (int y = 0; y < convSide; y++) {
                    patches.put(dst + y * convSide, x, src + (y + ky) * side + kx, convSide);
                }
            }
            Nd4j.gemm(filterRows, patchArray, convArray, false, false, 1.0, 0.0); // [filter, position]
            convArray.data().asNioFloat().get(0, conv);
            // ReLU as its own pass over the whole map: a loop the JIT vectorises. Folded into the
            // pooling loops, Math.max was not vectorised there (featurising 256 images took 20.7 ms
            // against 16.5), and a comparison instead of Math.max branched (43 ms).
            for (int i = 0; i < conv.length; i++) {
                conv[i] = Math.max(conv[i], 0f);
            }
            averagePool(conv, spec.filters(), convSide, spec.pool(), band, row, 0);
            out.put(image * row.length, row, 0, row.length);
        }
    }

    /**
     * Average pooling over non-overlapping p x p windows of {@code filters} maps of {@code convSide}^2
     * values each, written filter-major from {@code outBase}; {@code band} is scratch of at least
     * {@code convSide} floats. Per band of p rows, the rows are summed column by column (vectorised),
     * then each window's columns. The unrolled loops for 4 x 4 and 6 x 6 windows (the default MNIST
     * map's) make the same additions in the same order as the general one, so the features do not
     * depend on which one ran (bit for bit, {@code FeatureMapsTest}); the 6 x 6 one cut featurising
     * 256 images from 17.1 to 14.2 ms ({@code scripts/jmh featurise256}, side by side).
     */
    static void averagePool(float[] conv, int filters, int convSide, int p, float[] band, float[] out, int outBase) {
        if (p == 4) {
            poolFourByFour(conv, filters, convSide, band, out, outBase);
        } else if (p == 6) {
            poolSixBySix(conv, filters, convSide, band, out, outBase);
        } else {
            poolAnySize(conv, filters, convSide, p, band, out, outBase);
        }
    }

    private static void poolFourByFour(float[] conv, int filters, int convSide, float[] band, float[] out,
                                       int outBase) {
        int pooledSide = convSide / 4;
        int positions = convSide * convSide;
        float scale = 1.0f / 16;
        for (int filter = 0; filter < filters; filter++) {
            int base = filter * positions;
            for (int py = 0; py < pooledSide; py++) {
                int r0 = base + py * 4 * convSide;
                int r1 = r0 + convSide;
                int r2 = r1 + convSide;
                int r3 = r2 + convSide;
                for (int cx = 0; cx < convSide; cx++) {
                    band[cx] = ((conv[r0 + cx] + conv[r1 + cx]) + conv[r2 + cx]) + conv[r3 + cx];
                }
                int row = outBase + (filter * pooledSide + py) * pooledSide;
                for (int px = 0; px < pooledSide; px++) {
                    int b = px * 4;
                    out[row + px] = (((band[b] + band[b + 1]) + band[b + 2]) + band[b + 3]) * scale;
                }
            }
        }
    }

    private static void poolSixBySix(float[] conv, int filters, int convSide, float[] band, float[] out,
                                     int outBase) {
        int pooledSide = convSide / 6;
        int positions = convSide * convSide;
        float scale = 1.0f / 36;
        for (int filter = 0; filter < filters; filter++) {
            int base = filter * positions;
            for (int py = 0; py < pooledSide; py++) {
                int r0 = base + py * 6 * convSide;
                int r1 = r0 + convSide;
                int r2 = r1 + convSide;
                int r3 = r2 + convSide;
                int r4 = r3 + convSide;
                int r5 = r4 + convSide;
                for (int cx = 0; cx < convSide; cx++) {
                    band[cx] = ((((conv[r0 + cx] + conv[r1 + cx]) + conv[r2 + cx])
                            + conv[r3 + cx]) + conv[r4 + cx]) + conv[r5 + cx];
                }
                int row = outBase + (filter * pooledSide + py) * pooledSide;
                for (int px = 0; px < pooledSide; px++) {
                    int b = px * 6;
                    out[row + px] = (((((band[b] + band[b + 1]) + band[b + 2]) + band[b + 3]) + band[b + 4])
                            + band[b + 5]) * scale;
                }
            }
        }
    }

    /** The general loop: the reference the unrolled ones must equal bit for bit. */
    static void poolAnySize(float[] conv, int filters, int convSide, int p, float[] band, float[] out, int outBase) {
        int pooledSide = convSide / p;
        int positions = convSide * convSide;
        float scale = 1.0f / (p * p);
        for (int filter = 0; filter < filters; filter++) {
            int base = filter * positions;
            for (int py = 0; py < pooledSide; py++) {
                int top = base + py * p * convSide;
                java.util.Arrays.fill(band, 0, convSide, 0f);
                for (int dy = 0; dy < p; dy++) {
                    int row = top + dy * convSide;
                    for (int cx = 0; cx < convSide; cx++) {
                        band[cx] += conv[row + cx];
                    }
                }
                int out0 = outBase + (filter * pooledSide + py) * pooledSide;
                for (int px = 0; px < pooledSide; px++) {
                    float sum = 0;
                    for (int dx = 0; dx < p; dx++) {
                        sum += band[px * p + dx];
                    }
                    out[out0 + px] = sum * scale;
                }
            }
        }
    }
}
