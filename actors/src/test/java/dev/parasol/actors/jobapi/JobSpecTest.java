package dev.parasol.actors.jobapi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parasol.actors.exceptions.JobSpecException;
import dev.parasol.actors.scheduler.StalenessPolicy;
import dev.parasol.actors.scheduler.SyncPolicy;
import dev.parasol.engine.compress.CompressorSpec;
import dev.parasol.engine.model.Workload;
import dev.parasol.engine.optim.OptimiserConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobSpecTest
{
    private static final String FULL_HOCON = String.join("\n",
        "job {",
        "  name = \"nightly top-k\"",
        "  workload = w1",
        "  data-dir = \"/data/fmnist\"",
        "  partition = \"dirichlet:0.5\"",
        "  workers = 3",
        "  shards = 4",
        "  sync = \"ssp:2\"",
        "  staleness = \"drop:5\"",
        "  compress = \"topk:0.01\"",
        "  error-feedback = false",
        "  optimizer = adam",
        "  lr = 0.002",
        "  batch-size = 32",
        "  steps = 5000",
        "  target = 0.83",
        "  eval-interval = 0.5",
        "  checkpoint-dir = \"/tmp/parasol-out\"",
        "  seed = 42",
        "  warmup-steps = 100",
        "  watchdog { fallback-to-dense = true }",
        "  overlap = true",
        "}");

    @Test
    void shouldUseDefaultsWhenBuilderIsEmpty()
    {
        final JobSpec spec = JobSpec.builder().build();

        assertNull(spec.name());
        assertEquals(Workload.W2, spec.workload());
        assertNull(spec.dataDir());
        assertEquals(PartitionSpec.IID, spec.partition());
        assertEquals(2, spec.workers());
        assertEquals(2, spec.shards());
        assertEquals(SyncPolicy.ssp(3), spec.sync());
        assertEquals(StalenessPolicy.CONSTANT, spec.staleness());
        assertEquals(CompressorSpec.parse("dense"), spec.compress());
        assertTrue(spec.errorFeedback());
        assertEquals(OptimiserConfig.Kind.MOMENTUM, spec.optimizer());
        assertEquals(Workload.W2.learningRate(), spec.learningRate());
        assertEquals(64, spec.batchSize());
        assertEquals(30.0, spec.epochs());
        assertEquals(0L, spec.steps());
        assertTrue(spec.byEpochs());
        assertEquals(Workload.W2.targetAccuracy(), spec.targetAccuracy());
        assertEquals(0.25, spec.evalInterval());
        assertNull(spec.checkpointDir());
        assertEquals(Path.of("parasol-jobs", "job-7-abcd"), spec.checkpointDirFor("job-7-abcd"));
        assertEquals(1L, spec.seed());
        assertEquals(0L, spec.warmupSteps());
        assertFalse(spec.watchdogFallbackToDense());
        assertTrue(spec.validate().isEmpty());
    }

    @Test
    void shouldTakeWorkloadDefaultsWhenOptimizerLrAndTargetUnset()
    {
        final JobSpec spec = JobSpec.builder().workload(Workload.W1).build();

        assertEquals(OptimiserConfig.Kind.SGD, spec.optimizer());
        assertEquals(0.1f, spec.learningRate());
        assertEquals(0.84, spec.targetAccuracy());
        assertEquals(OptimiserConfig.of(OptimiserConfig.Kind.SGD, 0.1f), spec.optimiserConfig());
    }

    @Test
    void shouldKeepEveryFieldWhenBuiltInJava()
    {
        final JobSpec spec = JobSpec.builder()
            .name("run")
            .workload("W3")
            .dataDir(Path.of("/d"))
            .partition(PartitionSpec.dirichlet(0.1))
            .workers(4)
            .shards(3)
            .sync(SyncPolicy.ASP)
            .staleness(StalenessPolicy.INVERSE)
            .compress("qsgd:8")
            .errorFeedback(false)
            .optimizer(OptimiserConfig.Kind.SGD)
            .learningRate(0.05)
            .batchSize(16)
            .epochs(2.5)
            .targetAccuracy(0.5)
            .evalInterval(1.0)
            .checkpointDir(Path.of("/out"))
            .seed(-9)
            .warmupSteps(7)
            .watchdogFallbackToDense(true)
            .overlap(true)
            .build();

        assertEquals(new JobSpec("run", Workload.W3, Path.of("/d"), PartitionSpec.dirichlet(0.1), 4, 3, SyncPolicy.ASP,
            StalenessPolicy.INVERSE, CompressorSpec.parse("qsgd:8"), false, OptimiserConfig.Kind.SGD, 0.05f, 16, 2.5,
            0L, 0.5, 1.0, Path.of("/out"), -9L, 7L, true, true), spec);
        assertEquals(Path.of("/out"), spec.checkpointDirFor("job-1-0000"));
        assertEquals(spec, spec.toBuilder().build());
    }

    @Test
    void shouldReplaceEpochBoundWhenStepsSetLater()
    {
        final JobSpec spec = JobSpec.builder().epochs(3).steps(100).build();

        assertEquals(0.0, spec.epochs());
        assertEquals(100L, spec.steps());
        assertFalse(spec.byEpochs());
        assertEquals(spec, spec.toBuilder().build());
    }

    @Test
    void shouldReadEveryKeyWhenHoconSetsThem()
    {
        final JobSpec spec = JobSpec.parse(FULL_HOCON);

        assertEquals(new JobSpec("nightly top-k", Workload.W1, Path.of("/data/fmnist"), PartitionSpec.dirichlet(0.5),
            3, 4, SyncPolicy.ssp(2), StalenessPolicy.drop(5), CompressorSpec.parse("topk:0.01"), false,
            OptimiserConfig.Kind.ADAM, 0.002f, 32, 0.0, 5000L, 0.83, 0.5, Path.of("/tmp/parasol-out"), 42L, 100L,
            true, true), spec);
    }

    @Test
    void shouldUseDefaultsWhenHoconBlockIsEmpty()
    {
        assertEquals(JobSpec.builder().build(), JobSpec.parse("job { }"));
        assertEquals(JobSpec.builder().build(), JobSpec.parse("job { name = null }"));
    }

    @Test
    void shouldAcceptStringNumbersAndHoconBooleansWhenTypesAreLoose()
    {
        final JobSpec spec = JobSpec.parse("job { workers = \"3\", error-feedback = off, epochs = 2 }");

        assertEquals(3, spec.workers());
        assertFalse(spec.errorFeedback());
        assertEquals(2.0, spec.epochs());
    }

    @Test
    void shouldRoundTripWhenRenderedAsHocon()
    {
        final JobSpec spec = JobSpec.parse(FULL_HOCON);

        assertEquals(spec, JobSpec.parse(spec.toHocon()));
        assertEquals(spec, JobSpec.fromConfig(spec.toConfig()));
        final JobSpec defaults = JobSpec.builder().build();
        assertEquals(defaults, JobSpec.parse(defaults.toHocon()));
    }

    @Test
    void shouldLoadWhenGivenAFile(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("job.conf");
        Files.writeString(file, FULL_HOCON, StandardCharsets.UTF_8);

        assertEquals(JobSpec.parse(FULL_HOCON), JobSpec.load(file));
    }

    @Test
    void shouldNameTheFileWhenItDoesNotExist(@TempDir final Path dir)
    {
        final JobSpecException ex = assertThrows(JobSpecException.class, () -> JobSpec.load(dir.resolve("no.conf")));

        assertTrue(ex.getMessage().contains("no.conf"), ex.getMessage());
    }

    @Test
    void shouldNameAllSixBadFieldsWhenBuilderHasSix()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class, () -> JobSpec.builder()
            .workload("W9")
            .workers(0)
            .shards(-1)
            .sync("ssp:-1")
            .compress("topk:2")
            .learningRate(-0.5)
            .build());

        assertEquals(6, ex.errors().size(), ex.errors().toString());
        assertNamed(ex.errors(), "workload=W9", "workers=0", "shards=-1", "sync=ssp:-1", "compress=topk:2",
            "lr=-0.5");
    }

    @Test
    void shouldNameAllSixBadFieldsWhenHoconHasSix()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class, () -> JobSpec.parse(String.join("\n",
            "job {",
            "  workers = two",
            "  partition = \"dirichlet:-1\"",
            "  staleness = sometimes",
            "  batch-size = 0",
            "  target = 1.5",
            "  eval-interval = 0",
            "}")));

        assertEquals(6, ex.errors().size(), ex.errors().toString());
        assertNamed(ex.errors(), "workers=two", "partition=dirichlet:-1", "staleness=sometimes", "batch-size=0",
            "target=1.5", "eval-interval=0");
    }

    @Test
    void shouldNameAllBadFieldsWhenCanonicalRecordIsInvalid()
    {
        final JobSpec bad = new JobSpec(" ", Workload.W2, null, PartitionSpec.IID, 0, 300_000, SyncPolicy.BSP,
            StalenessPolicy.CONSTANT, CompressorSpec.parse("dense"), true, OptimiserConfig.Kind.SGD, Float.NaN, 0,
            -1.0, 0L, 0.0, Double.POSITIVE_INFINITY, null, 1L, -3L, false, true);

        final List<String> errors = bad.validate();

        assertEquals(10, errors.size(), errors.toString());
        assertNamed(errors, "name=' '", "workers=0", "shards=300000", "lr=NaN", "batch-size=0", "epochs=-1.0",
            "target=0.0", "eval-interval=Infinity", "warmup-steps=-3", "overlap=true with sync=bsp");
        final JobSpecException ssp0 = assertThrows(JobSpecException.class,
            () -> JobSpec.builder().sync("ssp:0").overlap(true).build());
        assertTrue(ssp0.getMessage().contains("overlap=true with sync=ssp:0"), ssp0.getMessage());
        assertTrue(JobSpec.builder().sync("ssp:1").overlap(true).build().overlap());
    }

    @Test
    void shouldRejectUnknownKeyWhenHoconHasTypo()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class,
            () -> JobSpec.parse("job { workrs = 4, shards = 2 }"));

        assertEquals(1, ex.errors().size(), ex.errors().toString());
        assertTrue(ex.errors().get(0).contains("unknown key 'job.workrs'"), ex.errors().get(0));
        assertTrue(ex.errors().get(0).contains("did you mean 'workers'"), ex.errors().get(0));
    }

    @Test
    void shouldRejectUnknownKeysWhenOutsideTheBlockOrInsideWatchdog()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class,
            () -> JobSpec.parse("workers = 4\njob { watchdog { fallback-to-dens = true } }"));

        assertEquals(2, ex.errors().size(), ex.errors().toString());
        assertNamed(ex.errors(), "unknown key 'workers' at the top level",
            "unknown key 'job.watchdog.fallback-to-dens'");
    }

    @Test
    void shouldIgnoreOtherSectionsWhenReadFromAConfig()
    {
        final JobSpec spec = JobSpec.fromConfig(com.typesafe.config.ConfigFactory.parseString(
            "pekko.loglevel = INFO\njob { workers = 3 }"));

        assertEquals(3, spec.workers());
    }

    @Test
    void shouldRejectWhenJobBlockIsMissing()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class, () -> JobSpec.parse("jobs { }"));

        assertNamed(ex.errors(), "unknown key 'jobs' at the top level", "missing the job { ... } block");
    }

    @Test
    void shouldRejectWhenBothEpochsAndStepsAreSet()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class,
            () -> JobSpec.parse("job { epochs = 3, steps = 10 }"));

        assertEquals(List.of("epochs=3 and steps=10: expected only one of epochs or steps"), ex.errors());
    }

    @Test
    void shouldExplainQuotingWhenValueWithColonIsUnquoted()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class,
            () -> JobSpec.parse("job {\n  sync = ssp:3\n}"));

        assertTrue(ex.getMessage().contains("must be quoted"), ex.getMessage());
    }

    @Test
    void shouldRejectShardsWhenAboveParameterCount()
    {
        final JobSpecException ex = assertThrows(JobSpecException.class,
            () -> JobSpec.builder().workload(Workload.W1).shards(7_851).build());

        assertEquals(1, ex.errors().size());
        assertTrue(ex.errors().get(0).startsWith("shards=7851: expected an integer in [1, 7850]"), ex.errors().get(0));
    }

    @Test
    void shouldDescribeWithReportFieldNames()
    {
        final Map<String, Object> fields = JobSpec.parse(FULL_HOCON).describe();

        assertEquals("W1", fields.get("workload"));
        assertEquals("ssp:2", fields.get("sync"));
        assertEquals("topk:0.01", fields.get("compression"));
        assertEquals(3, fields.get("workers"));
        assertEquals(4, fields.get("shards"));
        assertEquals(5000L, fields.get("max_steps"));
        assertEquals(false, fields.get("error_feedback"));
        assertTrue(JobSpec.parse(FULL_HOCON).summary().contains("compress=topk:0.01"));
    }

    @Test
    void shouldSurviveJacksonRoundTripWhenSentToAnotherNode() throws Exception
    {
        // Pekko's Jackson serializer ignores unknown properties by default, as this mapper does
        final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        final JobSpec spec = JobSpec.parse(FULL_HOCON);

        assertEquals(spec, mapper.readValue(mapper.writeValueAsBytes(spec), JobSpec.class));
    }

    @Test
    void shouldParsePartitionsWhenCanonical()
    {
        assertEquals(PartitionSpec.IID, PartitionSpec.parse(" IID "));
        assertEquals(PartitionSpec.dirichlet(0.5), PartitionSpec.parse("dirichlet:0.5"));
        assertEquals(PartitionSpec.dirichlet(0.5), PartitionSpec.parse(PartitionSpec.dirichlet(0.5).toString()));
        assertThrows(IllegalArgumentException.class, () -> PartitionSpec.parse("dirichlet:0"));
        assertThrows(IllegalArgumentException.class, () -> PartitionSpec.parse("dirichlet:NaN"));
        assertThrows(IllegalArgumentException.class, () -> PartitionSpec.parse("dirichlet"));
        assertThrows(IllegalArgumentException.class, () -> PartitionSpec.parse(null));
    }

    private static void assertNamed(final List<String> errors, final String... prefixes)
    {
        for (final String prefix : prefixes)
        {
            assertTrue(errors.stream().anyMatch((e) -> e.startsWith(prefix)),
                "no error starting with '" + prefix + "' in " + errors);
        }
    }
}
