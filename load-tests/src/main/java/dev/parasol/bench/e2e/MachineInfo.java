package dev.parasol.bench.e2e;

import dev.parasol.engine.linalg.MatrixKernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes the machine a benchmark ran on, because absolute figures only compare on the same one: cores, CPU model,
 * JVM, operating system, and the BLAS implementation the models use.
 */
public final class MachineInfo
{
    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    private MachineInfo()
    {
    }

    /**
     * Describe this machine.
     *
     * @param kernels the matrix kernels the runs use.
     * @return ordered fields: {@code cores}, {@code cpu}, {@code java}, {@code java_vm}, {@code os}, {@code blas},
     *     {@code blas_tier}, {@code blas_library}, {@code openblas_num_threads}, {@code max_heap_mib}.
     */
    public static Map<String, Object> describe(final MatrixKernels kernels)
    {
        final Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", cpuModel());
        machine.put("java", Runtime.version().toString());
        machine.put("java_vm", System.getProperty("java.vm.name") + " (" + System.getProperty("java.vm.vendor") + ")");
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
            System.getProperty("os.arch"));
        machine.put("blas", kernels.describe());
        machine.put("blas_tier", kernels.tier().toString());
        final List<String> libraries = kernels.nativeLibraries();
        machine.put("blas_library", libraries.isEmpty() ? kernels.implementationName() :
            Path.of(libraries.get(0)).getFileName().toString());
        machine.put("openblas_num_threads", System.getenv(MatrixKernels.OPENBLAS_THREADS_ENV));
        machine.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return machine;
    }

    private static String cpuModel()
    {
        try
        {
            final List<String> lines = Files.readAllLines(CPU_INFO);
            for (final String line : lines)
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not Linux, or not readable: the model is a nicety, the core count is what the figures depend on.
        }
        return System.getProperty("os.arch");
    }
}
