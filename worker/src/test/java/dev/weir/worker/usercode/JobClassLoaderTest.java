package dev.weir.worker.usercode;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JobClassLoaderTest {
  @Rule public TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void weirBeamGrpcAndJdkClassesComeFromTheWorkerAndTheJobsOwnFromItsJars() {
    assertTrue(JobClassLoader.parentFirst("java.lang.String"));
    assertTrue(JobClassLoader.parentFirst("org.apache.beam.sdk.transforms.DoFn"));
    assertTrue(JobClassLoader.parentFirst("dev.weir.worker.task.WorkerNode"));
    assertTrue(JobClassLoader.parentFirst("io.grpc.Channel"));
    assertTrue(JobClassLoader.parentFirst("com.google.protobuf.ByteString"));
    assertFalse(JobClassLoader.parentFirst("userjob.Tagger"));
    // The examples are a user's pipelines, not part of Weir.
    assertFalse(JobClassLoader.parentFirst("dev.weir.examples.WordCount"));
    assertFalse(JobClassLoader.parentFirst("com.google.common.collect.ImmutableList"));
  }

  @Test
  public void aClassInTheJobsJarWinsOverTheWorkersButBeamsClassesStayTheWorkers() throws Exception {
    // The job's jar holds its own copy of a class the worker has too (JUnit's Assert stands in
    // for a library of another version), and a resource.
    Path jar = folder.getRoot().toPath().resolve("job.jar");
    String assertClass = "org/junit/Assert.class";
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out)) {
      zip.putNextEntry(new JarEntry(assertClass));
      try (var in = getClass().getClassLoader().getResourceAsStream(assertClass)) {
        zip.write(in.readAllBytes());
      }
      zip.closeEntry();
      zip.putNextEntry(new JarEntry("job-resource.txt"));
      zip.write("the job's".getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    try (JobClassLoader loader =
        new JobClassLoader("job-1", List.of(jar.toUri().toURL()), getClass().getClassLoader())) {
      Class<?> jobsAssert = loader.loadClass("org.junit.Assert");
      assertSame("child-first: the job's own copy", loader, jobsAssert.getClassLoader());
      assertFalse(jobsAssert == org.junit.Assert.class);
      assertSame(DoFn.class, loader.loadClass(DoFn.class.getName()));
      try (var in = loader.getResourceAsStream("job-resource.txt")) {
        assertEquals("the job's", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }
}
