package io.lethe.learning.analytic;

import io.lethe.learning.NativeArrays;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Finds and calls routines of the CPU backend's OpenBLAS (JavaCPP's {@code org.bytedeco.openblas}
 * classes) reflectively, so that the module compiles and runs with the CUDA backend, where they are
 * not found and callers take ND4J's own calls instead. {@link NativeLapack} and {@link NativeBlas}
 * use it.
 */
final class OpenBlasRoutines {

    private OpenBlasRoutines() {
    }

    /**
     * The static method {@code name} of type {@code type} on {@code org.bytedeco.openblas.global.<library>},
     * or null when the backend is not the CPU one or the routine is not there.
     */
    static MethodHandle find(String library, String name, MethodType type) {
        if (!NativeArrays.onCpuBackend()) {
            return null;
        }
        try {
            Class<?> routines = Class.forName("org.bytedeco.openblas.global." + library);
            return MethodHandles.publicLookup().findStatic(routines, name, type);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Calls a routine {@link #find} found; a failure of the call itself is an {@link IllegalStateException}. */
    static Object call(MethodHandle routine, Object... args) {
        try {
            return routine.invokeWithArguments(args);
        } catch (Throwable e) {
            throw new IllegalStateException("OpenBLAS call failed: " + e, e);
        }
    }
}
